using BenchmarkDotNet.Attributes;
using HdrUp.Models.Inference;

namespace HdrUp.Benchmarks;

/// <summary>
/// The convolution ceiling of each inference path: one 64→64 3×3 convolution on 1×64×256×256 (<see cref="ConvCase.Default"/>),
/// the objects <c>hdrup bench speed</c> times in-run (<see cref="ConvCeiling"/>), so both report against one definition. libtorch
/// in fp32 and bf16, ONNX Runtime in fp32 and in int8 (the project's QDQ rewrite: per-channel int8 weights, uint8 activations,
/// run as QLinearConv). Threads: one per core, as bench speed's default.
/// </summary>
public class ConvCeilingBenchmarks
{
    private static readonly int Threads = Environment.ProcessorCount;
    private ConvCeiling? ceiling;

    [GlobalSetup(Target = nameof(LibtorchFp32))]
    public void SetupLibtorchFp32() => ceiling = ConvCeiling.Create(InferencePath.TorchFp32, Threads);

    [GlobalSetup(Target = nameof(LibtorchBf16))]
    public void SetupLibtorchBf16() => ceiling = ConvCeiling.Create(InferencePath.TorchBf16, Threads);

    [GlobalSetup(Target = nameof(OnnxRuntimeFp32))]
    public void SetupOnnxRuntimeFp32() => ceiling = ConvCeiling.Create(InferencePath.OnnxFp32, Threads);

    [GlobalSetup(Target = nameof(OnnxRuntimeInt8))]
    public void SetupOnnxRuntimeInt8() => ceiling = ConvCeiling.Create(InferencePath.OnnxInt8, Threads);

    [GlobalCleanup]
    public void Cleanup() => ceiling?.Dispose();

    [Benchmark(Baseline = true)]
    public void LibtorchFp32() => ceiling!.Run();

    [Benchmark]
    public void LibtorchBf16() => ceiling!.Run();

    [Benchmark]
    public void OnnxRuntimeFp32() => ceiling!.Run();

    [Benchmark]
    public void OnnxRuntimeInt8() => ceiling!.Run();
}
