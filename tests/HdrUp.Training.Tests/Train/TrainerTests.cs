using System.Globalization;
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

    [Fact]
    public void Atomic_write_that_fails_leaves_the_old_file_and_no_temporary()
    {
        using var data = new SyntheticPairs(count: 0, width: 8, height: 8);
        string path = Path.Combine(data.Root, "x.state");
        File.WriteAllText(path, "old");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, (Stream s) =>
        {
            s.Write(new byte[1000]);
            throw new IOException("disk full (simulated)");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(data.Root));
    }

    // Exact equality: same shape and dtype, every element equal (no tolerance).
    private static bool Same(torch.Tensor x, torch.Tensor y) =>
        x.dtype == y.dtype && x.shape.SequenceEqual(y.shape) && x.eq(y).all().item<bool>();

    private static List<double> Losses(string csv) =>
        File.ReadLines(csv).Skip(1).Select(l => l.Split(','))
            .Where(p => p[1].Length > 0)
            .Select(p => double.Parse(p[1], CultureInfo.InvariantCulture)).ToList();
}
