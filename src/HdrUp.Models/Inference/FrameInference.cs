using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.Inference;

/// <summary>
/// Runs an <see cref="HdrNetwork"/> on frames: eval mode, no gradients, reflect-padding to the network's size
/// multiple and cropping back, optional overlapping tiles with blended seams. Frames are planar float
/// buffers (C×H×W, 3 channels, row-major) or N×3×H×W CPU tensors. With ONNX Runtime, padding and tiling run
/// on the buffers (<see cref="PlanarTiling"/>, the same arithmetic as on tensors). Every frame's native memory is freed
/// before Run returns. Results are deterministic for a given thread count. Not thread-safe.
/// </summary>
public sealed class FrameInference : IDisposable
{
    private readonly HdrNetwork network;
    private readonly Onnx.OnnxRunner? onnx;
    private readonly PlanarTiling? onnxTiling;   // ONNX Runtime takes buffers: frames skip libtorch altogether
    private readonly bool bf16;

    /// <summary>The options in use.</summary>
    public InferenceOptions Options { get; }

    /// <summary>Wraps <paramref name="network"/> (switched to eval mode, and to bf16 for bf16 precision) for inference. For int8
    /// the graph is quantised here unless <see cref="InferenceOptions.OnnxCache"/> holds it (a calibration run: seconds).</summary>
    public FrameInference(HdrNetwork network, InferenceOptions? options = null)
    {
        this.network = network ?? throw new ArgumentNullException(nameof(network));
        Options = options ?? new InferenceOptions();
        if (Options.TileSize < 0) throw new ArgumentOutOfRangeException(nameof(options), Options.TileSize, "Tile size must be ≥ 0.");
        if (Options.TileOverlap < 0) throw new ArgumentOutOfRangeException(nameof(options), Options.TileOverlap, "Tile overlap must be ≥ 0.");
        if (Options.TileSize > 0 && Options.TileOverlap >= RoundUp(Options.TileSize, network.SizeMultiple))
            throw new ArgumentOutOfRangeException(nameof(options), Options.TileOverlap, "Tile overlap must be smaller than the tile size.");
        if (Options.Precision == Precision.NumericPrecision.Auto)
            throw new ArgumentException("Resolve precision auto before inference (NumericPrecisions.Resolve).", nameof(options));
        if (Options.Precision == Precision.NumericPrecision.Bf16 && Options.Backend != InferenceBackend.Torch)
            throw new ArgumentException("bf16 inference runs on libtorch only; ONNX Runtime runs fp32 and int8.", nameof(options));
        if (Options.Precision == Precision.NumericPrecision.Int8 && Options.Backend != InferenceBackend.Onnx)
            throw new ArgumentException("int8 inference runs on ONNX Runtime only.", nameof(options));
        if (Options.Precision == Precision.NumericPrecision.Int8 && Options.Calibration is null)
            throw new ArgumentException("int8 inference needs calibration frames (InferenceOptions.Calibration).", nameof(options));
        if (Options.Threads > 0) torch.set_num_threads(Options.Threads);
        network.eval();
        bf16 = Options.Precision == Precision.NumericPrecision.Bf16;
        if (bf16) network.to(ScalarType.BFloat16);
        if (Options.Backend == InferenceBackend.Onnx)
        {
            onnx = Onnx.OnnxRunner.For(network, Options.Threads, Options.OnnxCache,
                Options.Precision == Precision.NumericPrecision.Int8 ? Options.Calibration : null);
            onnxTiling = new PlanarTiling(network.SizeMultiple, Options, onnx.Run);
        }
    }

    /// <summary>Releases the ONNX Runtime session, if any (the network stays the caller's).</summary>
    public void Dispose() => onnx?.Dispose();

    /// <summary>Maps one planar 3×H×W frame; returns a new 3×H×W buffer.</summary>
    public float[] Run(ReadOnlySpan<float> planar, int width, int height)
    {
        var output = new float[3L * width * height];
        Run(planar, output, width, height);
        return output;
    }

    /// <summary>Maps one planar 3×H×W frame into <paramref name="output"/> (3·H·W floats).</summary>
    /// <exception cref="ArgumentException">Buffer lengths do not match 3·width·height.</exception>
    public void Run(ReadOnlySpan<float> planar, Span<float> output, int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"Frame size {width}×{height} must be positive.");
        long n = 3L * width * height;
        if (planar.Length != n) throw new ArgumentException($"Input has {planar.Length} floats, expected 3×{height}×{width} = {n}.", nameof(planar));
        if (output.Length != n) throw new ArgumentException($"Output has {output.Length} floats, expected {n}.", nameof(output));
        if (onnxTiling is not null)
        {
            onnxTiling.Run(planar, output, width, height);
            return;
        }
        using var scope = torch.NewDisposeScope();
        var input = torch.empty(new long[] { 1, 3, height, width }, ScalarType.Float32);
        planar.CopyTo(MemoryMarshalSpan(input, n));
        var result = Run(input);
        MemoryMarshalSpan(result, n).CopyTo(output);
    }

    /// <summary>Maps an N×3×H×W float32 CPU tensor (any H, W); returns a new N×3×H×W tensor owned by the caller.
    /// The input is not disposed.</summary>
    public Tensor Run(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != 3) throw new ArgumentException($"Expected N×3×H×W, got [{string.Join("×", input.shape)}].", nameof(input));
        using var inference = torch.inference_mode();   // no autograd bookkeeping at all (stronger than no_grad)
        using var scope = torch.NewDisposeScope();
        if (onnxTiling is not null) return RunFrames(input).MoveToOuterDisposeScope();
        long h = input.shape[2], w = input.shape[3];
        int m = network.SizeMultiple;
        long ph = RoundUp(h, m) - h, pw = RoundUp(w, m) - w;
        var padded = ph == 0 && pw == 0 ? input : Pad(input, ph, pw);
        int tile = Options.TileSize <= 0 ? 0 : RoundUp(Options.TileSize, m);
        var result = tile == 0 || (padded.shape[2] <= tile && padded.shape[3] <= tile) ? Forward(padded) : Tiled(padded, tile);
        if (ph != 0 || pw != 0) result = result[.., .., ..(int)h, ..(int)w];
        return result.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Runs tiles of the (already padded) frame. Tile starts are multiples of the network's size multiple,
    /// so every strided conv / pooling grid inside a tile is in phase with the whole-frame grid; the only
    /// differences to whole-frame inference are then the tile borders (blended away) and the coordinate
    /// attention's row/column means, which a tile computes over its own extent.</summary>
    private Tensor Tiled(Tensor x, int tile)
    {
        long n = x.shape[0], h = x.shape[2], w = x.shape[3];
        int overlap = Options.TileOverlap, m = network.SizeMultiple;
        var ys = TileStarts(h, tile, overlap, m);
        var xs = TileStarts(w, tile, overlap, m);
        long th = Math.Min(tile, h), tw = Math.Min(tile, w);
        var acc = torch.zeros(new[] { n, 3, h, w }, ScalarType.Float32);
        using var weight = torch.zeros(new[] { 1, 1, h, w }, ScalarType.Float32);
        foreach (long y0 in ys)
        {
            foreach (long x0 in xs)
            {
                using var scope = torch.NewDisposeScope();
                var at = new[] { TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(y0, y0 + th), TensorIndex.Slice(x0, x0 + tw) };
                var outPatch = Forward(x[at]);
                var wy = torch.tensor(Ramp(th, overlap, y0 > 0, y0 + th < h, Options.Blend)).reshape(1, 1, th, 1);
                var wx = torch.tensor(Ramp(tw, overlap, x0 > 0, x0 + tw < w, Options.Blend)).reshape(1, 1, 1, tw);
                var wt = wy * wx;
                acc[at].add_(outPatch * wt);
                weight[at].add_(wt);
            }
        }
        return acc.div_(weight);
    }

    // One libtorch forward pass on a padded N×3×H×W tensor (H, W multiples of the size multiple).
    private Tensor Forward(Tensor x) => bf16 ? network.call(x.to(ScalarType.BFloat16)).to(ScalarType.Float32) : network.call(x);

    // The ONNX backend on a tensor: frame by frame through the buffer path.
    private Tensor RunFrames(Tensor input)
    {
        int h = (int)input.shape[2], w = (int)input.shape[3];
        long n = 3L * h * w;
        var result = torch.empty(input.shape, ScalarType.Float32);
        var frames = MemoryMarshalSpan(input.contiguous(), input.shape[0] * n);
        var outputs = MemoryMarshalSpan(result, input.shape[0] * n);
        for (int i = 0; i < input.shape[0]; i++)
            onnxTiling!.Run(frames.Slice((int)(i * n), (int)n), outputs.Slice((int)(i * n), (int)n), w, h);
        return result;
    }

    /// <summary>
    /// Tile starts along one axis: tiles of <paramref name="tile"/> covering [0, <paramref name="length"/>) with at least
    /// <paramref name="overlap"/> overlap, spread evenly, every start a multiple of <paramref name="align"/>; the first
    /// starts at 0 and the last ends at <paramref name="length"/> (length and tile must be multiples of align).
    /// </summary>
    public static long[] TileStarts(long length, int tile, int overlap, int align = 1)
    {
        if (length % align != 0 || tile % align != 0) throw new ArgumentException($"Length {length} and tile {tile} must be multiples of {align}.");
        if (length <= tile) return new long[] { 0 };
        if (overlap >= tile) throw new ArgumentOutOfRangeException(nameof(overlap), overlap, "Overlap must be smaller than the tile.");
        long steps = (length - tile) / align;                               // last start, in units of align
        for (long count = Math.Max(2, (long)Math.Ceiling((double)(length - overlap) / (tile - overlap))); ; count++)
        {
            var starts = new long[count];
            for (long i = 0; i < count; i++) starts[i] = (long)Math.Round((double)i * steps / (count - 1)) * align;
            bool ok = true;
            for (long i = 1; i < count && ok; i++) ok = starts[i - 1] + tile - starts[i] >= overlap;
            if (ok) return starts;
        }
    }

    /// <summary>1-D blend weight of a tile: ramps up over the first <paramref name="overlap"/> pixels if there is a
    /// neighbour before, down over the last ones if there is one after, 1 elsewhere (never exactly 0).</summary>
    internal static float[] Ramp(long length, int overlap, bool rampStart, bool rampEnd, TileBlend blend)
    {
        double Shape(double t) => blend == TileBlend.Linear ? t : 0.5 - 0.5 * Math.Cos(Math.PI * t);
        var v = new float[length];
        int ramp = (int)Math.Min(overlap, length / 2);
        for (long i = 0; i < length; i++)
        {
            double a = 1;
            if (rampStart && i < ramp) a = Math.Min(a, Shape((i + 0.5) / ramp));
            if (rampEnd && length - 1 - i < ramp) a = Math.Min(a, Shape((length - 1 - i + 0.5) / ramp));
            v[i] = (float)a;
        }
        return v;
    }

    /// <summary>Reflect padding at the bottom/right (replicate where the frame is too small to reflect).</summary>
    private static Tensor Pad(Tensor x, long ph, long pw)
    {
        long h = x.shape[2], w = x.shape[3];
        var mode = ph < h && pw < w ? PaddingModes.Reflect : PaddingModes.Replicate;
        return nn.functional.pad(x, new[] { 0, pw, 0, ph }, mode);
    }

    internal static int RoundUp(long v, int m) => (int)((v + m - 1) / m * m);

    private static Span<float> MemoryMarshalSpan(Tensor t, long count)
    {
        if (t.dtype != ScalarType.Float32 || !t.is_contiguous() || t.device_type != DeviceType.CPU)
            throw new InvalidOperationException("Expected a contiguous float32 CPU tensor.");
        var span = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.bytes);   // view on native memory
        if (span.Length != count) throw new InvalidOperationException($"Tensor has {span.Length} elements, expected {count}.");
        return span;
    }
}
