using System.Text;
using HdrUp.Models.Inference;
using HdrUp.Models.Precision;
using Microsoft.ML.OnnxRuntime;

namespace HdrUp.Bench.Tests;

/// <summary>The convolution ceiling shared by <c>hdrup bench speed</c> and bench/HdrUp.Benchmarks: what it counts and what
/// each path really runs. No timing is asserted.</summary>
public sealed class ConvCeilingTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hdrup-ceiling-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    // 2·Cin·Cout·k²·H·W: 64 input channels × 64 output channels × 9 taps per output value, 2 FLOP per multiply-add, over
    // 256×256 outputs = 4,831,838,208.
    [Fact]
    public void The_default_case_is_one_64_to_64_3x3_convolution_on_256x256_and_counts_its_FLOPs()
    {
        var c = ConvCase.Default;
        Assert.Equal(4_831_838_208d, c.Flops);
        Assert.Equal("conv 64→64 3×3", c.Name);
        Assert.Equal("1×64×256×256", c.Shape);
        // Linear in the pixels and quadratic in the width: the same count ConvFlops makes for a network's layers.
        Assert.Equal(2.0 * 16 * 16 * 25 * 8 * 12, new ConvCase(16, 8, 12, Kernel: 5).Flops);
    }

    [Fact]
    public void Every_inference_path_has_a_ceiling_and_the_others_are_refused()
    {
        Assert.Equal(["libtorch fp32", "libtorch bf16", "ONNX Runtime fp32", "ONNX Runtime int8"], InferencePath.All.Select(p => p.Name));
        var small = new ConvCase(8, 16, 16);
        foreach (var path in InferencePath.All)
        {
            using var ceiling = ConvCeiling.Create(path, threads: 1, small);
            ceiling.Run();
            Assert.Equal(path, ceiling.Path);
            Assert.Equal(path.Backend == InferenceBackend.Onnx, ceiling.OnnxModel is not null);
        }
        Assert.Throws<NotSupportedException>(() => ConvCeiling.Create(new InferencePath(InferenceBackend.Onnx, NumericPrecision.Bf16), 1, small));
        Assert.Throws<NotSupportedException>(() => ConvCeiling.Create(new InferencePath(InferenceBackend.Torch, NumericPrecision.Int8), 1, small));
    }

    // The int8 ceiling must time what the networks' int8 graphs run: ONNX Runtime's integer convolution, not a float Conv
    // between a quantise and a dequantise. ONNX Runtime writes the graph it optimised; the int8 one holds one QLinearConv and
    // no float convolution, the fp32 one a float convolution and nothing quantised.
    [Theory]
    [InlineData(NumericPrecision.Int8, 1, 0)]
    [InlineData(NumericPrecision.Fp32, 0, 1)]
    public void ONNX_Runtime_runs_the_int8_ceiling_as_an_integer_convolution(NumericPrecision precision, int qlinear, int floatConvs)
    {
        using var ceiling = ConvCeiling.Create(new InferencePath(InferenceBackend.Onnx, precision), threads: 1, new ConvCase(16, 32, 32));
        string optimised = Path.Combine(dir, $"{precision}.onnx");
        using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimised, IntraOpNumThreads = 1 })
        using (new InferenceSession(ceiling.OnnxModel!, options)) { }
        byte[] written = File.ReadAllBytes(optimised);
        Assert.Equal(qlinear, CountOpType(written, "QLinearConv"));
        Assert.Equal(floatConvs, CountOpType(written, "Conv") + CountOpType(written, "FusedConv"));
        // The int8 weights are stored per output channel, as OnnxInt8 stores a network's.
        Assert.Equal(precision == NumericPrecision.Int8, Contains(ceiling.OnnxModel!, "conv.weight/int8"));
    }

    // A node's op_type is field 4 of NodeProto (tag 0x22), a length-prefixed string.
    private static int CountOpType(byte[] model, string opType)
    {
        byte[] pattern = [0x22, (byte)opType.Length, .. Encoding.ASCII.GetBytes(opType)];
        int count = 0;
        for (int i = model.AsSpan().IndexOf(pattern); i >= 0; i = model.AsSpan(i + 1).IndexOf(pattern) is var next and >= 0 ? i + 1 + next : -1)
            count++;
        return count;
    }

    private static bool Contains(byte[] model, string text) => model.AsSpan().IndexOf(Encoding.ASCII.GetBytes(text)) >= 0;
}
