using System.Diagnostics;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace HdrUp.Models.Tests;

public class TorchSmokeTests(ITestOutputHelper output)
{
    // TorchSharp loads libtorch, creates a tensor and runs a 64→64 3×3 convolution (the KPNet workhorse).
    // Throughput is recorded, never asserted.
    [Fact]
    public void Tensor_and_convolution_run()
    {
        using var t = torch.arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        Assert.Equal(15f, t.sum().item<float>());

        using var conv = nn.Conv2d(64, 64, 3, padding: 1);
        using var noGrad = torch.no_grad();
        using var x = torch.rand(1, 64, 256, 256);
        using (var warm = conv.call(x)) Assert.Equal(x.shape, warm.shape);
        const int reps = 5;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) conv.call(x).Dispose();
        sw.Stop();
        double flop = 2.0 * 64 * 64 * 9 * 256 * 256 * reps;
        output.WriteLine($"conv 64->64 3x3 on 256x256, {torch.get_num_threads()} threads: {flop / sw.Elapsed.TotalSeconds / 1e9:F1} GFLOP/s");
    }
}
