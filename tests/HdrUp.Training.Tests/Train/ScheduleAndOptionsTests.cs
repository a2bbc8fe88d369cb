using HdrUp.Training.Train;

namespace HdrUp.Training.Tests.Train;

public class ScheduleAndOptionsTests
{
    // Spec §11: 2e-4 halved at 200k/300k/400k/500k; the scheduler steps after each optimiser step, so after k
    // completed steps the rate reflects every milestone ≤ k. Halving is exact in binary floating point.
    [Theory]
    [InlineData(0, 2e-4)]
    [InlineData(199_999, 2e-4)]
    [InlineData(200_000, 1e-4)]
    [InlineData(299_999, 1e-4)]
    [InlineData(300_000, 5e-5)]
    [InlineData(400_000, 2.5e-5)]
    [InlineData(499_999, 2.5e-5)]
    [InlineData(500_000, 1.25e-5)]
    [InlineData(549_999, 1.25e-5)]
    public void Official_schedule_at_the_milestones(long completedSteps, double expected) =>
        Assert.Equal(expected, MultiStepSchedule.From(new OptimisationOptions()).LearningRateAfter(completedSteps));

    [Fact]
    public void Paper_recipe_file_is_the_default_protocol()
    {
        var o = TrainOptions.Load(Path.Combine(RepoRoot(), "options", "kpnet_qp37_c160_b12_550k.json"));
        var d = new TrainOptions();
        Assert.Equal((160, 12, true, true, true), (o.Datasets.Train.GtSize, o.Datasets.Train.BatchSize, o.Datasets.Train.UseHflip, o.Datasets.Train.UseVflip, o.Datasets.Train.UseTranspose));
        Assert.Equal((2e-4, 0.9, 0.99, 1e-8, 0.0), (o.Train.Optimizer.Lr, o.Train.Optimizer.Betas[0], o.Train.Optimizer.Betas[1], o.Train.Optimizer.Eps, o.Train.Optimizer.WeightDecay));
        Assert.Equal(new long[] { 200_000, 300_000, 400_000, 500_000 }, o.Train.Scheduler.Milestones);
        Assert.Equal((0.5, 550_000L, 10, 5_000L, 5_000L), (o.Train.Scheduler.Gamma, o.Train.TotalIter, o.ManualSeed, o.Val.ValFreq, o.Logger.SaveCheckpointFreq));
        Assert.Equal(("kpnet", 64, 37), (o.Network.Type, o.Network.Nf, o.Datasets.Train.Qp));
        // The defaults in code are the same protocol.
        Assert.Equal((d.Datasets.Train.GtSize, d.Datasets.Train.BatchSize, d.Train.TotalIter, d.Train.Optimizer.Lr), (160, 12, 550_000L, 2e-4));
        // The CPU recipe parses too.
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(RepoRoot(), "options"), "kpnet_qp37_cpu_*.json").Select(TrainOptions.Load));
    }

    // Every baseline recipe parses and keeps the shared budget (crop 64, batch 4, 500 steps, lr 2e-4, seed 10, QP 37);
    // the Tab. 1 baselines added in #19 train with their papers' losses where the trainer has them.
    [Fact]
    public void Baseline_recipes_share_the_budget_and_use_their_papers_losses()
    {
        var recipes = Directory.GetFiles(Path.Combine(RepoRoot(), "options", "baselines"), "*.json")
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), TrainOptions.Load);
        Assert.All(recipes, kv =>
        {
            var o = kv.Value;
            Assert.Equal(kv.Key, o.Name);
            Assert.Equal((64, 4, 500L, 2e-4, 10, 37), (o.Datasets.Train.GtSize, o.Datasets.Train.BatchSize, o.Train.TotalIter,
                o.Train.Optimizer.Lr, o.ManualSeed, o.Datasets.Train.Qp!.Value));
        });
        Assert.Equal(("hdrtv", "L1"), (recipes["hdrtv_qp37_500"].Network.Type, recipes["hdrtv_qp37_500"].Train.Loss.Type));
        Assert.Equal("data/out/train_sdr/uncompressed", recipes["hdrtv_clean_qp37_500"].Datasets.Train.DatarootLq);
        Assert.Equal(("jsi-gan", "L2"), (recipes["jsi_gan_qp37_500"].Network.Type, recipes["jsi_gan_qp37_500"].Train.Loss.Type));
        var p2p = recipes["pixel2pixel_qp37_500"];
        Assert.Equal(("pixel2pixel", true, 100.0, 0.5, 0.999), (p2p.Network.Type, p2p.Train.Loss.IsPix2Pix, p2p.Train.Loss.L1Weight,
            p2p.Train.Optimizer.Betas[0], p2p.Train.Optimizer.Betas[1]));
        Assert.Equal(("dpir", "L1"), (recipes["dpir_qp37_500"].Network.Type, recipes["dpir_qp37_500"].Train.Loss.Type));
    }

    [Fact]
    public void Degradation_model_recipes_parse_and_train_their_QP_in_bf16_on_the_degraded_build()
    {
        var recipes = Directory.GetFiles(Path.Combine(RepoRoot(), "options"), "kpnet_qp*_degraded_c64_b4.json").Order(StringComparer.Ordinal)
            .Select(TrainOptions.Load).ToList();
        Assert.Equal([32, 37, 42, 47], recipes.Select(o => o.Datasets.Train.Qp!.Value));
        Assert.All(recipes, o =>
        {
            Assert.Equal($"data/degraded/train_sdr/qp{o.Datasets.Train.Qp}", o.Datasets.Train.DatarootLq);
            Assert.Equal($"data/degraded/cross_sdr/qp{o.Datasets.Train.Qp}", o.Datasets.Val.DatarootLq);
            Assert.Equal(HdrUp.Models.Precision.NumericPrecision.Auto, o.Precision);
        });
    }

    [Fact]
    public void Unknown_field_and_bad_value_name_the_file_and_field()
    {
        var e1 = Assert.Throws<InvalidDataException>(() => TrainOptions.Parse("""{ "train": { "total_iters": 5 } }""", "x.json"));
        Assert.StartsWith("x.json:", e1.Message);
        Assert.Contains("total_iters", e1.Message);
        var e2 = Assert.Throws<InvalidDataException>(() => TrainOptions.Parse("""{ "datasets": { "train": { "batch_size": 0 } } }""", "y.json"));
        Assert.Equal("y.json: datasets.train.batch_size must be at least 1 (is 0).", e2.Message);
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HdrUp.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("HdrUp.sln not found above the test binaries.");
    }
}
