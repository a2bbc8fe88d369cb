// The practical ceiling of this machine for the networks' convolutions (issue #17, "a roofline for this machine"): one
// 64→64 3×3 convolution, the shape of KPNet's widest layers, on each backend and precision a network runs in. `hdrup bench
// speed` measures it in the same run as the networks and the BenchmarkDotNet project (bench/HdrUp.Benchmarks) measures the
// same objects, so both report against one definition.
using HdrUp.Models.Onnx;
using HdrUp.Models.Precision;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.Inference;

/// <summary>A backend and the arithmetic it runs in: what an inference path is measured against.</summary>
public readonly record struct InferencePath(InferenceBackend Backend, NumericPrecision Precision)
{
    public static InferencePath TorchFp32 { get; } = new(InferenceBackend.Torch, NumericPrecision.Fp32);
    public static InferencePath TorchBf16 { get; } = new(InferenceBackend.Torch, NumericPrecision.Bf16);
    public static InferencePath OnnxFp32 { get; } = new(InferenceBackend.Onnx, NumericPrecision.Fp32);
    public static InferencePath OnnxInt8 { get; } = new(InferenceBackend.Onnx, NumericPrecision.Int8);

    /// <summary>The four paths inference runs on: libtorch fp32 and bf16, ONNX Runtime fp32 and int8.</summary>
    public static IReadOnlyList<InferencePath> All { get; } = [TorchFp32, TorchBf16, OnnxFp32, OnnxInt8];

    /// <summary>As reports write it: "libtorch fp32", "ONNX Runtime int8".</summary>
    public string Name => $"{(Backend == InferenceBackend.Torch ? "libtorch" : "ONNX Runtime")} {Precision.Name()}";

    public override string ToString() => Name;
}

/// <summary>
/// The convolution a ceiling is measured on: <see cref="Channels"/>→<see cref="Channels"/>, <see cref="Kernel"/>×<see cref="Kernel"/>,
/// stride 1, zero padding that keeps the size, with bias, on a 1×C×H×W input.
/// </summary>
public sealed record ConvCase(int Channels, int Height, int Width, int Kernel = 3)
{
    /// <summary>64→64 3×3 on 1×64×256×256: the width and kernel of KPNet's trunk and KIB convolutions, on a tile large enough
    /// that every backend reaches its steady rate.</summary>
    public static ConvCase Default { get; } = new(64, 256, 256);

    /// <summary>Floating-point operations of one forward: 2·Cin·Cout·k²·H·W (a multiply-add counts 2, the bias and the padded
    /// border's skipped products are not subtracted: the count <c>ConvFlops</c> uses for the networks).</summary>
    public double Flops => 2.0 * Channels * Channels * Kernel * Kernel * Height * Width;

    /// <summary>"conv 64→64 3×3".</summary>
    public string Name => $"conv {Channels}→{Channels} {Kernel}×{Kernel}";

    /// <summary>"1×64×256×256".</summary>
    public string Shape => $"1×{Channels}×{Height}×{Width}";
}

/// <summary>
/// One convolution of a <see cref="ConvCase"/>, prepared on one <see cref="InferencePath"/>; <see cref="Run"/> is one forward
/// and the caller times it (FLOPs per run: <see cref="ConvCase.Flops"/>). The weights and the input are the same on every path
/// (a seeded draw: weights uniform in ±1/√(C·k²) as PyTorch initialises them, input uniform in [0, 1) like activations after a
/// ReLU). On libtorch: <c>conv2d</c> on fp32 or bf16 tensors under inference mode, with libtorch's process-wide thread count.
/// On ONNX Runtime: a one-convolution graph written by <see cref="OnnxExport"/>'s own convolution node, opened with the session
/// options of the networks' graphs; int8 is that graph rewritten by <see cref="OnnxInt8.Rewrite"/> exactly as it rewrites
/// every inner convolution of a network (int8 weights per output channel, int32 bias, uint8 input and output with ranges
/// measured on the fp32 graph's run), which ONNX Runtime fuses into one QLinearConv. The graph's input and output are float in
/// NCHW, as a network's are, so each ONNX Runtime run also pays what a network pays once per frame rather than per convolution:
/// ONNX Runtime's profile of the default case (2 threads, machine under load) gave fp32 Conv 385 ms + reorders to and from its
/// blocked layout 26 ms (6 %), int8 QLinearConv 146 ms + transposes to and from NHWC 16 ms + QuantizeLinear and
/// DequantizeLinear 2.3 ms (11 %). libtorch's oneDNN convolution reorders inside every call, networks' calls included. Not
/// thread-safe.
/// </summary>
public sealed class ConvCeiling : IDisposable
{
    private readonly Tensor? input, weight, bias;
    private readonly InferenceSession? session;
    private readonly RunOptions? runOptions;
    private readonly OrtValue? onnxInput, onnxOutput;
    private readonly string[] inputNames = [OnnxExport.InputName], outputNames = [OnnxExport.OutputName];

    public InferencePath Path { get; }

    public ConvCase Case { get; }

    /// <summary>The serialised one-convolution graph on ONNX Runtime (for inspection); null on libtorch.</summary>
    public byte[]? OnnxModel { get; }

    private ConvCeiling(InferencePath path, ConvCase convCase, int threads, int seed)
    {
        Path = path;
        Case = convCase;
        var (x, w, b) = Data(convCase, seed);
        int c = convCase.Channels, k = convCase.Kernel;
        if (path.Backend == InferenceBackend.Torch)
        {
            if (threads > 0) torch.set_num_threads(threads);
            var type = path.Precision == NumericPrecision.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32;
            using var scope = NewDisposeScope();
            input = torch.tensor(x, [1, c, convCase.Height, convCase.Width]).to(type).MoveToOuterDisposeScope();
            weight = torch.tensor(w, [c, c, k, k]).to(type).MoveToOuterDisposeScope();
            bias = torch.tensor(b, [c]).to(type).MoveToOuterDisposeScope();
            return;
        }
        OnnxModel = OnnxGraphs(convCase, x, w, b, threads, path.Precision);
        using var options = OnnxRunner.SessionOptionsFor(threads);
        session = new InferenceSession(OnnxModel, options);
        runOptions = new RunOptions();
        long[] shape = [1, c, convCase.Height, convCase.Width];
        onnxInput = OrtValue.CreateTensorValueFromMemory(x, shape);
        onnxOutput = OrtValue.CreateTensorValueFromMemory(new float[x.Length], shape);
    }

    /// <summary>Prepares the convolution of <paramref name="convCase"/> (default <see cref="ConvCase.Default"/>) on <paramref name="path"/>.</summary>
    /// <param name="threads">libtorch: torch.set_num_threads (process-wide) when above 0; ONNX Runtime: intra-op threads (0 = one per core).</param>
    /// <param name="seed">Seed of the weights and the input.</param>
    /// <exception cref="NotSupportedException">A path inference does not run on (bf16 on ONNX Runtime, int8 on libtorch, auto).</exception>
    public static ConvCeiling Create(InferencePath path, int threads, ConvCase? convCase = null, int seed = 17)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        if (!InferencePath.All.Contains(path))
            throw new NotSupportedException($"No convolution ceiling for {path.Name}: inference runs on {string.Join(", ", InferencePath.All)}.");
        return new ConvCeiling(path, convCase ?? ConvCase.Default, threads, seed);
    }

    /// <summary>One forward of the convolution; its output is discarded (libtorch) or written into a buffer kept for the purpose.</summary>
    public void Run()
    {
        if (session is not null)
        {
            session.Run(runOptions!, inputNames, [onnxInput!], outputNames, [onnxOutput!]);
            return;
        }
        using var inference = inference_mode();
        using var output = nn.functional.conv2d(input!, weight!, bias!, padding: [Case.Kernel / 2, Case.Kernel / 2]);
    }

    public void Dispose()
    {
        input?.Dispose();
        weight?.Dispose();
        bias?.Dispose();
        onnxInput?.Dispose();
        onnxOutput?.Dispose();
        session?.Dispose();
        runOptions?.Dispose();
    }

    private static (float[] Input, float[] Weight, float[] Bias) Data(ConvCase convCase, int seed)
    {
        var random = new Random(seed);
        int c = convCase.Channels, k = convCase.Kernel;
        double bound = 1 / Math.Sqrt(c * k * k);
        float Uniform(double low, double high) => (float)(low + (high - low) * random.NextDouble());
        var weight = new float[c * c * k * k];
        for (int i = 0; i < weight.Length; i++) weight[i] = Uniform(-bound, bound);
        var bias = new float[c];
        for (int i = 0; i < bias.Length; i++) bias[i] = Uniform(-bound, bound);
        var input = new float[checked(c * convCase.Height * convCase.Width)];
        for (int i = 0; i < input.Length; i++) input[i] = Uniform(0, 1);
        return (input, weight, bias);
    }

    /// <summary>The fp32 graph, or for int8 its QDQ rewrite with the output range of one fp32 run.</summary>
    private static byte[] OnnxGraphs(ConvCase convCase, float[] x, float[] w, float[] b, int threads, NumericPrecision precision)
    {
        int c = convCase.Channels, k = convCase.Kernel;
        var graph = new OnnxGraph();
        string weight = graph.AddInitializer("conv.weight", [c, c, k, k], w);
        string bias = graph.AddInitializer("conv.bias", [c], b);
        string output = OnnxExport.ConvNode(graph, [OnnxExport.InputName, weight, bias], [k, k], [1, 1], [k / 2, k / 2]);
        graph.Alias(output, OnnxExport.OutputName);
        OnnxDim[] shape = [1, c, convCase.Height, convCase.Width];
        byte[] Serialise(OnnxGraph g, string precisionName) => g.ToModel("conv_ceiling", (OnnxExport.InputName, shape), (OnnxExport.OutputName, shape),
            new Dictionary<string, string> { [OnnxInt8.PrecisionKey] = precisionName, ["case"] = $"{convCase.Name} on {convCase.Shape}" });
        byte[] fp32 = Serialise(graph, "fp32");
        if (precision != NumericPrecision.Int8) return fp32;

        // What OnnxInt8.Plan decides for a network's inner convolutions (the graph's only convolution would be its last,
        // which Plan keeps float): quantise its input and output, make its weights int8.
        var y = new float[x.Length];
        using (var options = OnnxRunner.SessionOptionsFor(threads))
        using (var fp32Session = new InferenceSession(fp32, options))
        using (var runOptions = new RunOptions())
        using (var xValue = OrtValue.CreateTensorValueFromMemory(x, [1, c, convCase.Height, convCase.Width]))
        using (var yValue = OrtValue.CreateTensorValueFromMemory(y, [1, c, convCase.Height, convCase.Width]))
            fp32Session.Run(runOptions, [OnnxExport.InputName], [xValue], [OnnxExport.OutputName], [yValue]);
        var plan = new OnnxInt8.QuantisationPlan(new HashSet<string>(StringComparer.Ordinal) { OnnxExport.InputName, output },
            new HashSet<string>(StringComparer.Ordinal) { graph.Nodes.Single(n => n.OpType == "Conv").Name });
        var ranges = new Dictionary<string, OnnxInt8.Range>(StringComparer.Ordinal)
        {
            [OnnxExport.InputName] = new(x.Min(), x.Max()),
            [output] = new(y.Min(), y.Max()),
        };
        return Serialise(OnnxInt8.Rewrite(graph, plan, ranges, OnnxInt8.WeightLimitFor(CpuFeatures.Current)), "int8");
    }
}
