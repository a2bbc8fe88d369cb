namespace HdrUp.Models.Inference;

/// <summary>Shape of the blending weight across a tile overlap.</summary>
public enum TileBlend
{
    /// <summary>Raised-cosine ramp 0→1 across the overlap (smooth first derivative).</summary>
    Cosine,
    /// <summary>Linear ramp 0→1 across the overlap.</summary>
    Linear,
}

/// <summary>What runs the network's forward pass.</summary>
public enum InferenceBackend
{
    /// <summary>libtorch through TorchSharp: every registered network.</summary>
    Torch,
    /// <summary>
    /// ONNX Runtime on the graph <see cref="Onnx.OnnxExport"/> writes from the network's weights: KPNet-family networks
    /// only, 1.5–3.7× faster than libtorch on whole frames here, equal to it within 1e-6 (README, Performance).
    /// </summary>
    Onnx,
}

/// <summary>Options of <see cref="FrameInference"/>.</summary>
public sealed record InferenceOptions
{
    /// <summary>Intra-op threads for libtorch (torch.set_num_threads, process-wide); 0 leaves the current setting.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Tile edge in pixels; 0 (default) = whole frame, which is exact. Frames whose both sides fit in one tile run whole.
    /// Rounded up to the network's size multiple. Tiling is an approximation for KPNet (its coordinate attention
    /// pools whole rows and columns); see <see cref="DefaultTileSize"/> for the measured accuracy.
    /// </summary>
    public int TileSize { get; init; }

    /// <summary>Minimum overlap between neighbouring tiles, blended with <see cref="Blend"/> (default 64).</summary>
    public int TileOverlap { get; init; } = DefaultTileOverlap;

    /// <summary>Blend ramp across overlaps (default cosine).</summary>
    public TileBlend Blend { get; init; } = TileBlend.Cosine;

    /// <summary>Backend of the forward pass (default libtorch); padding and tiling are the same for both.</summary>
    public InferenceBackend Backend { get; init; } = InferenceBackend.Torch;

    /// <summary>Where the ONNX backend keeps the graphs it exports, so each network and weights is exported once (default:
    /// this user's cache, <see cref="Onnx.OnnxGraphCache.Default"/>); null exports at every load.</summary>
    public Onnx.OnnxGraphCache? OnnxCache { get; init; } = Onnx.OnnxGraphCache.Default;

    /// <summary>
    /// Arithmetic of the forward pass: fp32 (default, either backend), bf16 (libtorch only: the network's weights are
    /// converted in place, frames go in and come out as fp32; padding, tiling and blending stay fp32) or int8 (ONNX Runtime
    /// only: the graph of <see cref="Onnx.OnnxInt8"/>, calibrated on <see cref="Calibration"/>; frames in and out fp32).
    /// <see cref="NumericPrecision.Auto"/> is resolved by the caller.
    /// </summary>
    public Precision.NumericPrecision Precision { get; init; } = Models.Precision.NumericPrecision.Fp32;

    /// <summary>The frames the int8 graph's activation ranges are measured on (required for int8, unused otherwise).</summary>
    public Onnx.CalibrationSet? Calibration { get; init; }

    /// <summary>The faster backend that runs <paramref name="network"/>: ONNX Runtime where it can, libtorch otherwise.</summary>
    public static InferenceBackend Fastest(HdrNetwork network) =>
        Onnx.OnnxExport.CanExport(network) ? InferenceBackend.Onnx : InferenceBackend.Torch;

    /// <summary>The backend that runs <paramref name="network"/> in <paramref name="precision"/>: fp32 on the faster one,
    /// bf16 on libtorch, int8 on ONNX Runtime.</summary>
    /// <exception cref="NotSupportedException">int8 for a network without ONNX export, or auto (resolve it first).</exception>
    public static InferenceBackend For(HdrNetwork network, Precision.NumericPrecision precision) => precision switch
    {
        Models.Precision.NumericPrecision.Fp32 => Fastest(network),
        Models.Precision.NumericPrecision.Bf16 => InferenceBackend.Torch,
        Models.Precision.NumericPrecision.Int8 when Onnx.OnnxExport.CanExport(network) => InferenceBackend.Onnx,
        Models.Precision.NumericPrecision.Int8 => throw new NotSupportedException($"int8 runs on ONNX Runtime, which has no graph of a {network.GetType().Name}"),
        _ => throw new NotSupportedException("Resolve precision auto before choosing a backend."),
    };

    /// <summary>
    /// A tile edge for callers without a memory budget: 512 px (with <see cref="DefaultTileOverlap"/>); <c>hdrup convert</c> picks
    /// its tiles from <c>--max-memory</c> instead (Conversion's MappingFactory.TileFor).
    /// Tiled vs whole-frame KPNet output (golden weights, PSNR with peak 1, 1920×1080, 2 threads):
    /// smooth synthetic frame — 256/32: 54.2 dB, 384/64: 55.5, 512/32: 55.9, 512/64: 56.7, 768/128: 58.9,
    /// 1024/128: 61.1; real night-city frame upscaled to 1080p — 256/32: 52.6, 512/64: 56.4, 768/128: 59.7,
    /// 1024/128: 65.1. 512/64 costs about 1.9× the whole-frame compute (15 tiles) at a fraction of the memory.
    /// The shipped QP-32 model in <c>convert</c> (16-bit PQ output, colours kept; frame 63 of samples/city.mp4 upscaled to 1080p,
    /// overlap 64): 512 px 50.95 dB (ΔE_ITP 1.55), 576 (convert's choice under 3 GiB) 51.31 (1.51), 968 55.95 (0.84),
    /// 1080×1080 strips 57.68 (0.68).
    /// </summary>
    public const int DefaultTileSize = 512;

    /// <summary>Recommended overlap: 64 px.</summary>
    public const int DefaultTileOverlap = 64;
}
