using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace HdrUp.Models.Onnx;

/// <summary>
/// Runs a model written by <see cref="OnnxExport"/> with ONNX Runtime on the CPU: planar 3×H×W float buffers in and
/// out, sides multiples of <see cref="SizeMultiple"/>. <see cref="Inference.FrameInference"/> pads and tiles for it
/// (<see cref="Inference.InferenceBackend.Onnx"/>) on these buffers, with the arithmetic of its libtorch path. Sequential
/// execution, all graph optimisations, no memory pattern. Not thread-safe.
/// </summary>
public sealed class OnnxRunner : IDisposable
{
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();

    /// <summary>Frame sides must be multiples of this (from the model's metadata).</summary>
    public int SizeMultiple { get; }

    /// <summary>Opens a serialised model.</summary>
    /// <param name="model">ONNX model bytes from <see cref="OnnxExport.Export"/>.</param>
    /// <param name="threads">Intra-op threads (0 = ONNX Runtime's default, one per core).</param>
    /// <param name="profilePrefix">Turn on ONNX Runtime's profiler, writing its JSON trace to a file whose name starts with
    /// this path (<see cref="EndProfiling"/>); null for no profiling.</param>
    public OnnxRunner(byte[] model, int threads, string? profilePrefix = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        using var options = SessionOptionsFor(threads);
        if (profilePrefix is not null)
        {
            // In this order: turning profiling on takes the prefix set at that moment (else the working folder's default).
            options.ProfileOutputPathPrefix = profilePrefix;
            options.EnableProfiling = true;
        }
        session = new InferenceSession(model, options);
        SizeMultiple = session.ModelMetadata.CustomMetadataMap.TryGetValue(OnnxExport.SizeMultipleKey, out string? multiple)
            ? int.Parse(multiple, CultureInfo.InvariantCulture)
            : 1;
    }

    /// <summary>The session options of every HdrUp graph, also the convolution ceiling's (<see cref="Inference.ConvCeiling"/>), so the
    /// ceiling runs as the networks do: sequential execution, all graph optimisations, no memory pattern.</summary>
    /// <param name="threads">Intra-op threads (0 = ONNX Runtime's default, one per core).</param>
    internal static SessionOptions SessionOptionsFor(int threads) => new()
    {
        IntraOpNumThreads = threads,
        InterOpNumThreads = 1,   // sequential execution never uses the inter-op pool
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        // A memory pattern is one block for all of a shape's activations, allocated from the second run of the shape on,
        // beside the arena the first run filled, which stays. Without it the arena serves every run: a 1080p conversion with
        // full KPNet on 512-px tiles peaked at 1.36 GiB with it and 0.87 GiB without, on two whole frames at 7.8 and 4.1; no
        // slower (ONNX Runtime ÷ libtorch at 540p: 0.514–0.520 with, 0.505–0.506 without). README, Performance.
        EnableMemoryPattern = false,
    };

    /// <summary>Opens the graph of <paramref name="network"/> with its current weights: from <paramref name="cache"/> if it
    /// holds it, else exported (and stored there).</summary>
    /// <param name="network">A network <see cref="OnnxExport.CanExport"/> accepts.</param>
    /// <param name="threads">Intra-op threads (0 = ONNX Runtime's default).</param>
    /// <param name="cache">Where graphs are kept between runs; null exports every time.</param>
    /// <param name="int8">Calibration frames: open the int8 graph (<see cref="OnnxInt8"/>) instead of the fp32 one.</param>
    /// <param name="profilePrefix">Profile the runs (see the constructor); null for no profiling.</param>
    /// <exception cref="NotSupportedException">The network has no ONNX export (see <see cref="OnnxExport.Export"/>).</exception>
    public static OnnxRunner For(HdrNetwork network, int threads, OnnxGraphCache? cache = null, CalibrationSet? int8 = null, string? profilePrefix = null)
    {
        if (cache is null) return new(int8 is null ? OnnxExport.Export(network) : OnnxInt8.Quantize(network, int8, threads), threads, profilePrefix);
        (byte[] Model, bool Cached) Get(bool refresh) => int8 is null ? cache.Get(network, refresh) : cache.GetInt8(network, int8, threads, refresh);
        var (model, cached) = Get(refresh: false);
        try
        {
            return new(model, threads, profilePrefix);
        }
        catch (OnnxRuntimeException) when (cached)
        {
            // Intact and filed under its key, yet refused (an upgraded runtime that no longer reads it): a fresh export
            // replaces it. A graph that came straight from the exporter is not retried: its refusal is a bug to report.
            return new(Get(refresh: true).Model, threads, profilePrefix);
        }
    }

    /// <summary>Maps one planar 3×H×W frame; returns a new 3×H×W buffer.</summary>
    public float[] Run(float[] planarRgb, int width, int height)
    {
        var output = new float[3L * width * height];
        Run(planarRgb, output, width, height);
        return output;
    }

    /// <summary>Maps one planar 3×H×W frame into <paramref name="output"/> (3·H·W floats); ONNX Runtime reads and writes
    /// the caller's buffers directly.</summary>
    /// <exception cref="ArgumentException">A size is not a positive multiple of <see cref="SizeMultiple"/>, or a buffer length is not 3·W·H.</exception>
    public void Run(float[] planarRgb, float[] output, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(planarRgb);
        ArgumentNullException.ThrowIfNull(output);
        if (width <= 0 || height <= 0 || width % SizeMultiple != 0 || height % SizeMultiple != 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Frame size {width}×{height} must be positive multiples of {SizeMultiple} (FrameInference pads).");
        long n = 3L * width * height;
        if (planarRgb.Length != n) throw new ArgumentException($"Input has {planarRgb.Length} floats, expected 3×{height}×{width} = {n}.", nameof(planarRgb));
        if (output.Length != n) throw new ArgumentException($"Output has {output.Length} floats, expected {n}.", nameof(output));
        long[] shape = [1, 3, height, width];
        using var inputValue = OrtValue.CreateTensorValueFromMemory(planarRgb, shape);
        using var outputValue = OrtValue.CreateTensorValueFromMemory(output, shape);
        session.Run(runOptions, [OnnxExport.InputName], [inputValue], [OnnxExport.OutputName], [outputValue]);
    }

    /// <summary>Ends the profiling a <c>profilePrefix</c> turned on and returns the path of the trace: Chrome's trace event
    /// format, a "model_run" event per run and a "..._kernel_time" event per node run.</summary>
    public string EndProfiling() => session.EndProfiling();

    public void Dispose()
    {
        session.Dispose();
        runOptions.Dispose();
    }
}
