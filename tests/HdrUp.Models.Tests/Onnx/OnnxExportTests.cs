using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using HdrUp.Models.Checkpoints;
using HdrUp.Models.Inference;
using HdrUp.Models.Onnx;
using TorchSharp;
using TorchSharp.Modules;
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

    public static TheoryData<string> Architectures => new(ArchRegistry.Names);

    // Every registered architecture, narrow and with random weights: one the exporter accepts must have had every
    // module emitted (bar the never-executed ones and the lists that only hold modules) and give libtorch's output;
    // any other must be refused by name. This covers every structural path of the exporter (BatchNorm in R, the KIB
    // without X / Y / both, the IFM reduced to one pair, single branches, sum fusion, IFM_D, IFM_N) and any entry
    // added later. BatchNorm statistics are randomised so that eval-mode normalisation is really exercised.
    [Theory]
    [MemberData(nameof(Architectures))]
    public void Every_registered_architecture_is_exported_whole_or_refused_by_name(string name)
    {
        torch.random.manual_seed(5);
        using var net = Narrow(name);
        if (!OnnxExport.CanExport(net))
        {
            var e = Assert.Throws<NotSupportedException>(() => OnnxExport.Export(net));
            Assert.Contains(net.GetType().Name, e.Message);
            return;
        }
        using (torch.no_grad())
        {
            foreach (var (key, buffer) in net.named_buffers())
            {
                if (key.EndsWith("running_mean", StringComparison.Ordinal)) buffer.uniform_(-0.2, 0.2);
                else if (key.EndsWith("running_var", StringComparison.Ordinal)) buffer.uniform_(0.5, 2.0);
            }
        }
        var (model, emitted) = OnnxExport.ExportTraced(net);
        var modules = net.named_modules().Where(m => m.name.Length > 0).ToList();
        var expected = modules
            .Where(m => !IsList(m.module))
            .Where(m => !net.NeverExecutedModules.Any(n => m.name == n || m.name.StartsWith(n + ".", StringComparison.Ordinal)))
            .Select(m => m.name);
        Assert.Empty(expected.Except(emitted));
        Assert.Subset(modules.Select(m => m.name).ToHashSet(), emitted.ToHashSet());
        using var input = torch.rand(1, 3, 32, 48);   // a multiple of every KPNet's size multiple (8, 4, 2)
        CompareBackends(net, input, model);
    }

    // OnnxGraphCache files graphs under OnnxExport.Version, so a change to what the exporter writes must raise it, or
    // machines that cached the old graphs keep running them. The digest of every exportable entry's graph (narrow,
    // weights set from their index, so no random generator is involved) as recorded at the current version catches a
    // change that does not. On failure: raise OnnxExport.Version if the graphs changed, then record the digest the
    // message gives; if an architecture was only added or removed, record the digest alone.
    [Fact]
    public void The_graphs_written_are_those_recorded_for_this_exporter_version()
    {
        const int recordedVersion = 3;
        const string recordedDigest = "12658abfec67d4ab56d2d94a0824bf3f4e3032bda0e1befffccdcdea5ec6c0cd";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int exported = 0;
        foreach (string name in ArchRegistry.Names)
        {
            using var net = Narrow(name);
            if (!OnnxExport.CanExport(net)) continue;
            using (torch.no_grad())
            {
                int k = 0;
                foreach (var (_, t) in net.state_dict().Where(e => e.Value.is_floating_point()))
                {
                    var values = new float[t.numel()];
                    long offset = k++ * 104729L;
                    for (long i = 0; i < values.Length; i++) values[i] = ((i * 7919 + offset) % 2001 - 1000) / 1000f;
                    using var source = torch.tensor(values).reshape(t.shape);
                    t.copy_(source);
                }
            }
            hash.AppendData(Encoding.UTF8.GetBytes(name));
            hash.AppendData(OnnxExport.Export(net));
            exported++;
        }
        string digest = Convert.ToHexStringLower(hash.GetHashAndReset());
        output.WriteLine($"{exported} architectures, exporter version {OnnxExport.Version}, digest {digest}");
        Assert.True((OnnxExport.Version, digest) == (recordedVersion, recordedDigest),
            $"Recorded: version {recordedVersion}, digest {recordedDigest}; now: version {OnnxExport.Version}, digest {digest}.");
    }

    // bench profile --backend onnx reads the trace from where the runner says and deletes its folder: the trace must be
    // written under the prefix given, not as ONNX Runtime's default file in the working folder (which it does if the prefix
    // is set after profiling is turned on), and hold one model_run per run.
    [Fact]
    public void The_profiler_writes_its_trace_under_the_prefix_given()
    {
        torch.random.manual_seed(16);
        using var net = ArchRegistry.Create("kpnet-nf16");
        string folder = Directory.CreateTempSubdirectory("hdrup-trace-").FullName;
        try
        {
            string trace;
            using (var runner = new OnnxRunner(OnnxExport.Export(net), threads: 1, Path.Combine(folder, "trace")))
            {
                var frame = new float[3 * 32 * 24];
                runner.Run(frame, 32, 24);
                runner.Run(frame, 32, 24);
                trace = runner.EndProfiling();
            }
            Assert.StartsWith(Path.Combine(folder, "trace"), trace);
            Assert.Equal(2, Regex.Matches(File.ReadAllText(trace), "\"name\"\\s*:\\s*\"model_run\"").Count);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // nf 16 keeps every network small; a fixed-width entry (kpnet-nf24, kpnet-half-nf32) builds at its own width only.
    private static HdrNetwork Narrow(string name)
        => ArchRegistry.Get(name).KPNetOptions is { Nf: var nf } && nf != ArchRegistry.DefaultWidth
            ? ArchRegistry.Create(name, nf)
            : ArchRegistry.Create(name, 16);

    private static bool IsList(nn.Module module)
        => module.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(ModuleList<>);

    // 540p, the smallest bench size, is not a multiple of 8 either: both backends must pad the same way. The ONNX
    // backend pads, crops and tiles on float buffers, the libtorch one on tensors; on a narrow random KPNet they agree
    // within 1e-6 (measured 1.5e-8 to 6e-8, the two runtimes' own difference; the buffer arithmetic itself is compared
    // bit for bit in InferenceTests) at sizes that need reflect padding, replicate padding (too small to reflect) and
    // tiles, with odd sides too. The runner itself refuses sizes that are not multiples of the network's.
    [Theory]
    [InlineData(44, 30, 0)]     // reflect padding
    [InlineData(3, 2, 0)]       // too small to reflect: replicate
    [InlineData(100, 72, 64)]   // tiled
    [InlineData(157, 101, 64)]  // tiled, odd sides
    public void FrameInference_gives_the_same_frame_with_either_backend(int width, int height, int tile)
    {
        const double sameFrame = 1e-6;
        torch.random.manual_seed(1);
        using var net = ArchRegistry.Create("kpnet-nf16");
        var frame = new float[3 * width * height];
        var random = new Random(3);
        for (int i = 0; i < frame.Length; i++) frame[i] = (float)random.NextDouble();
        var options = new InferenceOptions { TileSize = tile, TileOverlap = 16 };
        float[] torchOutput = new FrameInference(net, options).Run(frame, width, height);
        using var onnxInference = new FrameInference(net, options with { Backend = InferenceBackend.Onnx });
        float[] onnxOutput = onnxInference.Run(frame, width, height);
        double diff = MaxAbsDiff(onnxOutput, torchOutput);
        output.WriteLine($"{width}×{height}, tile {tile}: max |Δ| = {diff:E2}");
        Assert.InRange(diff, 0, sameFrame);
        Assert.True(onnxOutput.Max() - onnxOutput.Min() > 0.01, "The output is nearly constant, so the comparison would prove little.");
        using var tensor = torch.tensor(frame, new long[] { 1, 3, height, width });
        using var onnxTensor = onnxInference.Run(tensor);   // the tensor entry point goes through the buffers too
        Assert.Equal(onnxOutput, onnxTensor.data<float>().ToArray());
        using var runner = OnnxRunner.For(net, threads: 1);
        Assert.Equal(8, runner.SizeMultiple);
        Assert.Throws<ArgumentOutOfRangeException>(() => runner.Run(frame, width, height));   // none of these sizes is a multiple of 8
    }

    /// <summary>Runs both backends on <paramref name="input"/> (ONNX: <paramref name="model"/>, or the network exported),
    /// asserts max |Δ| ≤ 1e-4, returns the ONNX output.</summary>
    private float[] CompareBackends(HdrNetwork net, Tensor input, byte[]? model = null)
    {
        net.eval();
        float[] torchOutput;
        using (torch.no_grad())
        using (var y = net.call(input))
            torchOutput = y.contiguous().data<float>().ToArray();
        int height = (int)input.shape[2], width = (int)input.shape[3];
        using var runner = new OnnxRunner(model ?? OnnxExport.Export(net), threads: 1);
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
