using System.Globalization;
using HdrUp.Core;
using HdrUp.Models.Precision;
using HdrUp.Training.Train;
using TorchSharp;

namespace HdrUp.Training.Tests.Train;

// libtorch's thread count is process-wide: these tests run one at a time.
[CollectionDefinition("torch", DisableParallelization = true)]
public class TorchCollection;

[Collection("torch")]
public class TrainerTests
{
    [Fact]
    public void Two_k_iterations_equal_k_then_resume_then_k_bit_for_bit()
    {
        using var data = new SyntheticPairs(count: 5, width: 24, height: 24);
        const int k = 3;
        // 5 pairs, batch 2 → 2 batches per epoch: the 6 steps cross epoch boundaries, so the resumed sampler
        // must also reproduce the epoch shuffles.
        string straightDir = data.NewRunDir(), splitDir = data.NewRunDir();
        using var straight = new Trainer(data.Options(2 * k), straightDir);
        straight.Run();

        using (var first = new Trainer(data.Options(k), splitDir)) first.Run();
        string state = Path.Combine(splitDir, "training_states", $"{k}.state");
        Assert.Equal(k, TrainingState.ReadInfo(state).Iteration);
        using var second = new Trainer(data.Options(2 * k), splitDir);
        second.Run(resumeFrom: state);

        var a = straight.Network!.state_dict();
        var b = second.Network!.state_dict();
        Assert.Equal(a.Keys, b.Keys);
        foreach (var (key, tensor) in a)
            Assert.True(Same(tensor, b[key]), $"{key} differs after resume");
        // The weights did move (a trivially equal pair of untrained networks would also pass the loop above).
        torch.random.manual_seed(10);
        using var untrained = HdrUp.Models.ArchRegistry.Create("kpnet", 8);
        Assert.Contains(untrained.state_dict(), kv => kv.Value.is_floating_point() && !Same(kv.Value, a[kv.Key]));
        // Same logged losses for steps k+1 … 2k.
        Assert.Equal(Losses(straight.LogPath).Skip(k), Losses(second.LogPath).Skip(k));
        Assert.Equal(2 * k, Losses(second.LogPath).Count);
    }

    [Fact]
    public void Bf16_training_resumes_bit_for_bit_and_learns_like_fp32()
    {
        using var data = new SyntheticPairs(count: 1, width: 32, height: 32);
        TrainOptions Recipe(long n, NumericPrecision p) => data.Options(n, crop: 32, batch: 1, lr: 2e-3) with { Precision = p };
        // Resume: the bf16 copy is derived from the fp32 master at every step, so the state file alone continues the run exactly.
        string straightDir = data.NewRunDir(), splitDir = data.NewRunDir();
        using var straight = new Trainer(Recipe(6, NumericPrecision.Bf16), straightDir);
        straight.Run();
        using (var first = new Trainer(Recipe(3, NumericPrecision.Bf16), splitDir)) first.Run();
        using var second = new Trainer(Recipe(6, NumericPrecision.Bf16), splitDir);
        second.Run(resumeFrom: Path.Combine(splitDir, "training_states", "3.state"));
        var a = straight.Network!.state_dict();
        foreach (var (key, tensor) in second.Network!.state_dict())
            Assert.True(Same(tensor, a[key]), $"{key} differs after a bf16 resume");
        Assert.All(a.Values.Where(t => t.is_floating_point()), t => Assert.Equal(torch.ScalarType.Float32, t.dtype));

        // Learning: 30 steps overfitting one pair reach about the loss fp32 reaches (mean of the last five within 25 %).
        double LastLosses(NumericPrecision p)
        {
            using var t = new Trainer(Recipe(30, p), data.NewRunDir());
            t.Run();
            return Losses(t.LogPath).TakeLast(5).Average();
        }
        double fp32 = LastLosses(NumericPrecision.Fp32), bf16 = LastLosses(NumericPrecision.Bf16);
        Assert.True(Math.Abs(bf16 - fp32) < 0.25 * fp32, $"last losses: fp32 {fp32:F5}, bf16 {bf16:F5}");
    }

    [Fact]
    public void Bf16_shadow_rounds_weights_in_and_hands_fp32_gradients_and_batchnorm_statistics_back()
    {
        torch.random.manual_seed(3);
        using var master = HdrUp.Models.ArchRegistry.Create("kpnet", 8);
        master.train();
        using var shadow = new Bf16Shadow([master], [HdrUp.Models.ArchRegistry.Create("kpnet", 8)]);
        var copy = (HdrUp.Models.HdrNetwork)shadow.Copies[0];
        copy.train();
        var masterParams = master.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in copy.named_parameters())
        {
            Assert.Equal(torch.ScalarType.BFloat16, p.dtype);
            Assert.True(Same(p, masterParams[name].to(torch.ScalarType.BFloat16)), $"{name} is not the master rounded to bf16");
        }
        var bnBefore = master.named_buffers().Where(b => b.name.EndsWith("running_mean")).Select(b => (b.name, b.buffer.clone())).ToList();
        Assert.NotEmpty(bnBefore);

        using var x = torch.rand(2, 3, 16, 16).to(torch.ScalarType.BFloat16);
        using var loss = copy.call(x).to(torch.ScalarType.Float32).abs().mean();
        loss.backward();
        var copyGrads = copy.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad?.to(torch.ScalarType.Float32));
        shadow.Push();
        foreach (var (name, p) in master.named_parameters())
        {
            if (copyGrads[name] is not { } g) continue;
            Assert.Equal(torch.ScalarType.Float32, p.grad!.dtype);
            Assert.True(Same(p.grad!, g), $"{name}: master gradient is not the bf16 gradient as fp32");
        }
        Assert.All(copy.parameters(), p => Assert.Null(p.grad));
        // The train-mode forward moved the BatchNorm running means, and the master has them now.
        var masterBuffers = master.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        Assert.Contains(bnBefore, b => !Same(b.Item2, masterBuffers[b.name]));
    }

    [Fact]
    public void Loss_decreases_when_overfitting_one_pair()
    {
        using var data = new SyntheticPairs(count: 1, width: 32, height: 32);
        // lr 2e-3 (10× the protocol) so 30 steps of a nf-8 network make clear progress; the GT is a smooth tone
        // curve of the input. Compare the mean of the first and last five losses, not single noisy values.
        using var trainer = new Trainer(data.Options(30, crop: 32, batch: 1, lr: 2e-3), data.NewRunDir());
        var result = trainer.Run();
        var losses = Losses(trainer.LogPath);
        Assert.Equal(30, losses.Count);
        double first = losses.Take(5).Average(), last = losses.TakeLast(5).Average();
        Assert.True(last < 0.8 * first, $"loss {first:F4} → {last:F4}");
        Assert.Equal(30, result.Iteration);
        Assert.True(File.Exists(result.WeightsPath));
        var card = HdrUp.Models.ModelCard.Load(HdrUp.Models.ModelCard.PathFor(result.WeightsPath));
        Assert.Equal(("kpnet", 8, 30L), (card.Architecture, card.Width, card.Iterations!.Value));
        Assert.True(File.Exists(trainer.PlotPath));
    }

    [Fact]
    public void Learning_rate_in_the_log_follows_the_milestones()
    {
        using var data = new SyntheticPairs(count: 2, width: 16, height: 16);
        var o = data.Options(4, crop: 16, batch: 1);
        o = o with { Train = o.Train with { Scheduler = new MultiStepOptions { Milestones = [2, 3], Gamma = 0.5 } } };
        using var trainer = new Trainer(o, data.NewRunDir());
        trainer.Run();
        // Step i uses the rate after i−1 completed steps: 2e-4, 2e-4, then 1e-4 (≥ 2 done), then 5e-5 (≥ 3 done).
        var lrs = File.ReadLines(trainer.LogPath).Skip(1).Select(l => double.Parse(l.Split(',')[2], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([2e-4, 2e-4, 1e-4, 5e-5], lrs);
    }

    [Fact]
    public void Cancellation_saves_a_complete_state_and_leaves_no_partial_file()
    {
        using var data = new SyntheticPairs(count: 2, width: 16, height: 16);
        string dir = data.NewRunDir();
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress<TrainProgress>(p => { if (p.Stage == TrainStage.Training && p.Iteration == 2) cts.Cancel(); });
        using (var trainer = new Trainer(data.Options(50, batch: 1), dir))
            Assert.ThrowsAny<OperationCanceledException>(() => trainer.Run(null, progress, cts.Token));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp*", SearchOption.AllDirectories));
        string state = Assert.Single(Directory.GetFiles(Path.Combine(dir, "training_states")));
        Assert.Equal("2.state", Path.GetFileName(state));
        Assert.Equal(2, TrainingState.ReadInfo(state).Iteration);
        // The saved state is complete: it resumes.
        using var resumed = new Trainer(data.Options(3, batch: 1), dir);
        Assert.Equal(3, resumed.Run(state).Iteration);
    }

    // Exact equality: same shape and dtype, every element equal (no tolerance).
    private static bool Same(torch.Tensor x, torch.Tensor y) =>
        x.dtype == y.dtype && x.shape.SequenceEqual(y.shape) && x.eq(y).all().item<bool>();

    private static List<double> Losses(string csv) =>
        File.ReadLines(csv).Skip(1).Select(l => l.Split(','))
            .Where(p => p[1].Length > 0)
            .Select(p => double.Parse(p[1], CultureInfo.InvariantCulture)).ToList();
}
