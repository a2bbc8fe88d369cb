using HdrUp.Models.Checkpoints;
using HdrUp.Models.Inference;
using HdrUp.Models.Onnx;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace HdrUp.Models.Tests.Onnx;

/// <summary>The exported ONNX graph run by ONNX Runtime against the TorchSharp network it came from (eval mode).</summary>
public class OnnxExportTests(ITestOutputHelper output)
{
    // The acceptance bound for a second backend, the same as the golden tests' tolerance.
    private const double Tolerance = 1e-4;

    [Fact]
    public void KPNet_with_golden_weights_matches_TorchSharp_and_the_golden_output()
    {
        using var net = ArchRegistry.Create("kpnet");
        Checkpoint.Load(net, Golden.File("kpnet.pth"));   // weights ×1.8 and random BatchNorm statistics, see TestData/golden
        using var input = Golden.Input();
        var onnx = CompareBackends(net, input);
        double golden = MaxAbsDiff(onnx, Npy.Read(Golden.File("kpnet_output.npy")).AsFloat());
        output.WriteLine($"kpnet: ONNX vs golden max |Δ| = {golden:E2}");
        Assert.InRange(golden, 0, Tolerance);
    }

    [Fact]
    public void Narrow_KPNet_matches_TorchSharp()
    {
        torch.random.manual_seed(16);
        using var net = ArchRegistry.Create("kpnet-nf16");
        using var input = Golden.Input();
        CompareBackends(net, input);
    }

    // One registry entry per structural path of the exporter that kpnet and kpnet-nf16 leave out: BatchNorm in R
    // (Tab. 4), the KIB without X / Y / both (Tab. 2), the IFM reduced to one pair, a single branch (quarter; half
    // in the fast-level candidate), sum fusion, IFM_D, IFM_N (Tab. 2, 5). Narrow and on a small frame to stay fast;
    // BatchNorm statistics are randomised so that eval-mode normalisation is really exercised.
    [Theory]
    [InlineData("kpnet-norm", 16)]
    [InlineData("kpnet-no-x", 16)]
    [InlineData("kpnet-no-y", 16)]
    [InlineData("kpnet-r-only-no-ifm", 16)]
    [InlineData("kpnet-b12", 16)]
    [InlineData("kpnet-b3", 16)]
    [InlineData("kpnet-half-nf32", 32)]
    [InlineData("kpnet-sum-fusion", 16)]
    [InlineData("kpnet-ifm-d", 16)]
    [InlineData("kpnet-ifm-n", 16)]
    public void KPNet_variants_match_TorchSharp(string name, int nf)
    {
        torch.random.manual_seed(5);
        using var net = ArchRegistry.Create(name, nf);
        using (torch.no_grad())
        {
            foreach (var (key, buffer) in net.named_buffers())
            {
                if (key.EndsWith("running_mean", StringComparison.Ordinal)) buffer.uniform_(-0.2, 0.2);
                else if (key.EndsWith("running_var", StringComparison.Ordinal)) buffer.uniform_(0.5, 2.0);
            }
        }
        using var input = torch.rand(1, 3, 32, 48);
        CompareBackends(net, input);
    }

    [Theory]
    [InlineData("kunet", "KUNet")]
    [InlineData("csrnet", "CSRNet")]
    [InlineData("kpnet-single-kib", "KPNetSingleKib")]
    public void Networks_outside_the_KPNet_family_are_refused_by_name(string name, string typeName)
    {
        using var net = ArchRegistry.Create(name);
        var e = Assert.Throws<NotSupportedException>(() => OnnxExport.Export(net));
        Assert.Contains(typeName, e.Message);
    }

    // 540p, the smallest bench size, is not a multiple of 8 either: both backends must pad the same way.
    // FrameInference pads, crops and tiles the same way for both backends: at sizes that need reflect padding,
    // replicate padding (too small to reflect) and tiles (64-px tiles, 16 overlap, on 100×72), the ONNX backend
    // equals the libtorch one; the runner itself refuses sizes that are not multiples of the network's.
    [Theory]
    [InlineData(44, 30, 0)]    // reflect padding
    [InlineData(6, 5, 0)]      // too small to reflect: replicate
    [InlineData(100, 72, 64)]  // tiled
    public void FrameInference_gives_the_same_frame_with_either_backend(int width, int height, int tile)
    {
        torch.random.manual_seed(1);
        using var net = ArchRegistry.Create("kpnet-nf16");
        var frame = new float[3 * width * height];
        var random = new Random(3);
        for (int i = 0; i < frame.Length; i++) frame[i] = (float)random.NextDouble();
        var options = new InferenceOptions { TileSize = tile, TileOverlap = 16 };
        float[] torchOutput = new FrameInference(net, options).Run(frame, width, height);
        using var onnxInference = new FrameInference(net, options with { Backend = InferenceBackend.Onnx });
        Assert.InRange(MaxAbsDiff(onnxInference.Run(frame, width, height), torchOutput), 0, Tolerance);
        using var runner = OnnxRunner.For(net, threads: 1);
        Assert.Equal(8, runner.SizeMultiple);
        Assert.Throws<ArgumentOutOfRangeException>(() => runner.Run(frame, width, height));   // none of these sizes is a multiple of 8
    }

    /// <summary>Runs both backends on <paramref name="input"/>, asserts max |Δ| ≤ 1e-4, returns the ONNX output.</summary>
    private float[] CompareBackends(HdrNetwork net, Tensor input)
    {
        net.eval();
        float[] torchOutput;
        using (torch.no_grad())
        using (var y = net.call(input))
            torchOutput = y.contiguous().data<float>().ToArray();
        int height = (int)input.shape[2], width = (int)input.shape[3];
        using var runner = OnnxRunner.For(net, threads: 1);
        float[] onnx = runner.Run(input.contiguous().data<float>().ToArray(), width, height);
        double diff = MaxAbsDiff(onnx, torchOutput);
        double range = torchOutput.Max() - torchOutput.Min();
        output.WriteLine($"{net.GetType().Name} nf={net.Width}: max |Δ| = {diff:E2}, output range {range:F3}");
        Assert.True(range > 0.01, "The output is nearly constant, so the comparison would prove little.");
        Assert.InRange(diff, 0, Tolerance);
        return onnx;
    }

    private static double MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
