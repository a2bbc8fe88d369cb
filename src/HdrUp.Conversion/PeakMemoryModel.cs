using HdrUp.Models.Inference;
using HdrUp.Models.Precision;

namespace HdrUp.Conversion;

/// <summary>
/// The peak resident memory of a <c>hdrup convert</c> process, predicted as
/// <c>FixedBytes + BytesPerTilePixel · tile pixels + BytesPerFramePixel · frame pixels</c>, where the tile is the padded area one
/// forward pass sees (the whole padded frame when untiled). Fitted on real conversions (README, Performance: one process per
/// case, VmHWM): the network's activations grow with the tile; the pipeline's frames (decoded frames queued ahead of the network,
/// the mappers' outputs, the tile sums, the PNG being written) with the frame.
/// </summary>
/// <param name="FixedBytes">The runtime, libtorch, ONNX Runtime's session and the weights.</param>
/// <param name="BytesPerTilePixel">Activations of one forward pass, per pixel of the tile.</param>
/// <param name="BytesPerFramePixel">The pipeline's frames in flight, per pixel of the frame.</param>
public sealed record PeakMemoryModel(long FixedBytes, double BytesPerTilePixel, double BytesPerFramePixel)
{
    /// <summary>
    /// The pipeline's share, the same for every network and backend: 4K conversions of 6 frames through the fast model peaked 157
    /// (ONNX Runtime) and 173 (libtorch) bytes per frame pixel above 1080p ones; 1080p conversions of 12 frames 217–227 above 540p
    /// ones, where the fast model outruns the PNG writer and mapped frames queue. 200 covers the large frames, where it matters.
    /// </summary>
    public const double PipelineBytesPerFramePixel = 200;

    /// <summary>The predicted peak for a forward pass over <paramref name="tilePixels"/> in a frame of <paramref name="framePixels"/>.</summary>
    public long Predict(long tilePixels, long framePixels) =>
        FixedBytes + (long)Math.Ceiling(BytesPerTilePixel * tilePixels + BytesPerFramePixel * framePixels);

    /// <summary>
    /// The model of a registry architecture on a backend in a precision: measured for the shipped full (<c>kpnet</c>) and fast
    /// (<c>kpnet-half-nf32</c>) models; any other architecture is taken to cost what full KPNet costs, the largest measured
    /// (pass <c>--tile</c> or <c>--max-memory</c> for one that costs more). bf16 halves libtorch's activations and int8 quarters
    /// ONNX Runtime's, so the fp32 figures hold as a bound where int8 was not measured.
    /// </summary>
    public static PeakMemoryModel For(string? architecture, InferenceBackend backend, NumericPrecision precision = NumericPrecision.Fp32) =>
        (architecture, backend, precision) switch
        {
            // Full KPNet's int8 graph on ONNX Runtime: VmHWM over two frames of a 1080p clip at tiles 256, 512, 768, 1024, 1080 and
            // whole frames (621, 781, 1019, 1457, 1767 and 2299 MiB, README, Performance). The line through the 256-px tiles and
            // the 1080-px strips, the steepest step of the arena as in fp32, lies on or above every measurement; it puts a whole
            // 1080p frame at 2.6 GiB, inside the default budget, where the fp32 line (5.9 GiB) forced 576-px tiles that compute
            // 1.28× the frame's pixels.
            ("kpnet", InferenceBackend.Onnx, NumericPrecision.Int8) => new(171L << 20, 1080, PipelineBytesPerFramePixel),
            _ => Fp32(architecture, backend),
        };

    private static PeakMemoryModel Fp32(string? architecture, InferenceBackend backend) => (architecture, backend) switch
    {
        // Straight lines over VmHWM at tiles 256–1024 and whole 1080p frames (single frames; the fixed term then lowered by the
        // single-frame share of the pipeline, 76 B/px for ONNX Runtime and 58 for libtorch, measured on 4K against 1080p), the
        // least-squares slope moved up until no measurement lies above its line. libtorch keeps every activation of the forward
        // pass until it returns (its dispose scope), so its cost per pixel is their sum. ONNX Runtime frees as it goes, but its
        // arena grows in steps (full KPNet: 1.11 GiB at 608-px tiles, 1.26 at 704, 1.82 at 760, 2.50 at 1024, 3.31 for
        // 1080×1080), so for full KPNet the slope is the one through the 256-px tiles and the 1080-px strips, the steepest step.
        ("kpnet-half-nf32", InferenceBackend.Onnx) => new(303L << 20, 291, PipelineBytesPerFramePixel),
        ("kpnet-half-nf32", InferenceBackend.Torch) => new(363L << 20, 312, PipelineBytesPerFramePixel),
        (_, InferenceBackend.Onnx) => new(253L << 20, 2708, PipelineBytesPerFramePixel),
        (_, _) => new(507L << 20, 2149, PipelineBytesPerFramePixel),
    };
}
