using HdrUp.Models;
using HdrUp.Models.Precision;
using HdrUp.Training.Train;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Training.Tests.Train;

/// <summary>pix2pix's conditional GAN objective (the Pixel2Pixel row of paper Tab. 1) in the trainer.</summary>
[Collection("torch")]
public class AdversarialTrainingTests
{
    // A discriminator whose last convolution is zero outputs logit 0 everywhere: BCE(0, 1) = BCE(0, 0) = ln 2, so the
    // discriminator loss ½(ln 2 + ln 2) = ln 2 and the generator loss ln 2 + λ·L1 (output 0.5, GT 0.2: L1 0.3;
    // λ = 100 → ln 2 + 30).
    [Fact]
    public void Pix2pix_losses_have_their_values_at_logit_zero()
    {
        using var d = new PatchGanDiscriminator(ndf: 8);
        using (torch.no_grad())
        {
            var sd = d.state_dict();
            sd["model.11.weight"].zero_();
            sd["model.11.bias"].zero_();
        }
        using var lq = torch.rand(2, 3, 32, 32);
        using var fake = torch.full(2, 3, 32, 32, 0.5f);
        using var gt = torch.full(2, 3, 32, 32, 0.2f);
        using var lossD = TrainingLoss.Pix2PixDiscriminator(d, lq, fake, gt);
        using var lossG = TrainingLoss.Pix2PixGenerator(d, lq, fake, gt, 100);
        Assert.Equal(Math.Log(2), lossD.item<float>(), 5);
        Assert.Equal(Math.Log(2) + 30, lossG.item<float>(), 4);
    }

    private static TrainOptions Recipe(SyntheticPairs data, long iterations) => data.Options(iterations, crop: 24, batch: 2) with
    {
        Network = new NetworkOptions { Type = "pixel2pixel", Nf = 8 },
        Train = new OptimisationOptions
        {
            TotalIter = iterations,
            Optimizer = new AdamOptions { Lr = 2e-4, Betas = [0.5, 0.999] },
            Loss = new LossOptions { Type = "Pix2Pix" },
        },
    };

    // Both players train and a resumed run continues bit for bit (the discriminator and its Adam are in the state,
    // the generator's dropout draws from the saved torch generator); the weights file holds the generator only.
    [Fact]
    public void Pix2pix_training_resumes_bit_for_bit_and_ships_only_the_generator()
    {
        using var data = new SyntheticPairs(count: 3, width: 24, height: 24);
        string straightDir = data.NewRunDir(), splitDir = data.NewRunDir();
        using var straight = new Trainer(Recipe(data, 4), straightDir);
        var result = straight.Run();
        using (var first = new Trainer(Recipe(data, 2), splitDir)) first.Run();
        using var second = new Trainer(Recipe(data, 4), splitDir);
        second.Run(resumeFrom: Path.Combine(splitDir, "training_states", "2.state"));

        var a = straight.Network!.state_dict();
        var b = second.Network!.state_dict();
        Assert.Equal(a.Keys, b.Keys);
        foreach (var (key, tensor) in a)
        {
            using var eq = tensor.eq(b[key]);
            Assert.True(eq.all().item<bool>(), $"{key} differs after resume");
        }
        torch.random.manual_seed(10);
        using var untrained = ArchRegistry.Create("pixel2pixel", 8);
        Assert.Contains(untrained.state_dict(), kv => !kv.Value.eq(a[kv.Key]).all().item<bool>());

        var (shipped, card) = HdrUp.Models.Checkpoints.ModelStore.Load(result.WeightsPath);
        using (shipped)
        {
            Assert.IsType<Pixel2Pixel>(shipped);
            Assert.Equal(untrained.state_dict().Count, shipped.state_dict().Count);
        }
        Assert.Contains("Pix2Pix (cGAN against a 70×70 PatchGAN + 100·L1)", card!.Notes);
        Assert.Contains("fp32 compute", card.Notes);
        var losses = File.ReadAllLines(straight.LogPath).Skip(1).Where(l => l.Split(',')[1].Length > 0).ToArray();
        Assert.Equal(4, losses.Length);
    }

    [Fact]
    public void Pix2pix_options_validate()
    {
        var options = TrainOptions.Parse("""{ "network": { "type": "pixel2pixel" }, "train": { "loss": { "type": "Pix2Pix", "l1_weight": 50 } } }""");
        Assert.True(options.Train.Loss.IsPix2Pix);
        Assert.Equal(50, options.Train.Loss.L1Weight);
        Assert.Equal(100, TrainOptions.Parse("{}").Train.Loss.L1Weight);
        Assert.Throws<InvalidDataException>(() => TrainOptions.Parse("""{ "datasets": { "train": { "gt_size": 16 } }, "train": { "loss": { "type": "Pix2Pix" } } }"""));
        Assert.Throws<InvalidDataException>(() => TrainOptions.Parse("""{ "precision": "bf16", "train": { "loss": { "type": "Pix2Pix" } } }"""));
        Assert.Throws<InvalidDataException>(() => TrainOptions.Parse("""{ "train": { "loss": { "type": "Pix2Pix", "l1_weight": -1 } } }"""));
        Assert.Equal(NumericPrecision.Auto, options.Precision);
    }

    // JSI-GAN's second stage (#19). The relativistic hinge losses by hand: real logits [2, 0], generated [1, −1]
    // (means 1 and 0). D: mean(relu(1 − (real − 0))) = mean(0, 1) = 0.5, mean(relu(1 + (fake − 1))) = mean(1, 0) = 0.5 → 1.0.
    // G: mean(relu(1 − (fake − 1))) = mean(1, 3) = 2, mean(relu(1 + (real − 0))) = mean(3, 1) = 2 → 4.0.
    [Fact]
    public void Relativistic_hinge_and_feature_matching_losses_have_their_values()
    {
        using var real = torch.tensor(new float[] { 2, 0 });
        using var fake = torch.tensor(new float[] { 1, -1 });
        using var d = TrainingLoss.RaHingeDiscriminator(real, fake);
        using var g = TrainingLoss.RaHingeGenerator(real, fake);
        Assert.Equal(1.0, d.item<float>(), 6);
        Assert.Equal(4.0, g.item<float>(), 6);
        using var a = torch.zeros(2, 4);
        using var b = torch.full(2, 4, 0.5f);
        using var c = torch.ones(1, 3);
        using var e = torch.full(1, 3, 3f);
        using var fm = TrainingLoss.FeatureMatching([a, c], [b, e]);
        Assert.Equal(0.25 + 4.0, fm.item<float>(), 6);
    }

    [Fact]
    public void Jsi_gan_discriminator_has_the_released_layers_and_needs_160_pixels()
    {
        torch.random.manual_seed(3);
        using var d = new JsiGanDiscriminator();
        Assert.Equal(13_713_602, d.parameters().Sum(p => p.numel()));
        using var x = torch.rand(2, 3, 160, 160);
        var (logits, features) = d.call(x);
        Assert.Equal(new long[] { 2, 1, 1, 1 }, logits.shape);
        Assert.Equal(new long[] { 2, 32, 80, 80 }, features[0].shape);
        Assert.Equal(new long[] { 2, 256, 10, 10 }, features[3].shape);
        using var larger = torch.rand(1, 3, 192, 192);
        Assert.Equal(new long[] { 1, 1, 2, 2 }, d.call(larger).Logits.shape);
        using var small = torch.rand(1, 3, 128, 128);
        Assert.Throws<ArgumentException>(() => d.call(small));
    }

    // One power iteration a training forward converges to the largest singular value, so the effective weight has
    // spectral norm 1.
    [Fact]
    public void Spectral_normalisation_divides_by_the_largest_singular_value()
    {
        torch.random.manual_seed(5);
        using var conv = new SpectralNormConv2d(8, 16, 3, 1, 1, bias: false);
        conv.train();
        using var x = torch.rand(1, 8, 6, 6);
        for (int i = 0; i < 30; i++) conv.call(x).Dispose();
        var weight = conv.parameters().Single();
        using var matrix = weight.reshape(16, -1);
        double largest = torch.linalg.svdvals(matrix)[0].item<float>();
        Assert.Equal(largest, conv.Sigma(), 4);
        Assert.True(largest > 0.01);
        // The layer is linear: its output is the plain convolution's over σ.
        conv.eval();
        using var plain = nn.functional.conv2d(x, weight, padding: [1, 1]);
        using var normalised = conv.call(x);
        Assert.Equal(0.0, (normalised - plain / conv.Sigma()).abs().max().item<float>(), 5);
    }

    private static TrainOptions JsiRecipe(SyntheticPairs data, long iterations, long? linearFrom = 1) => data.Options(iterations, crop: 160, batch: 2) with
    {
        Network = new NetworkOptions { Type = "jsi-gan", Nf = 8 },
        Train = new OptimisationOptions
        {
            TotalIter = iterations,
            Optimizer = new AdamOptions { Lr = 2e-6, Betas = [0.9, 0.999] },
            Scheduler = new MultiStepOptions { Milestones = [], LinearDecayFrom = linearFrom },
            Loss = new LossOptions { Type = "JsiGan" },
        },
    };

    // The second stage trains and resumes bit for bit: both discriminators, their spectral-norm vectors, BatchNorm
    // statistics and Adam are in the state; the weights file holds JSInet only.
    [Fact]
    public void Jsi_gan_stage_resumes_bit_for_bit_and_ships_only_jsinet()
    {
        using var data = new SyntheticPairs(count: 2, width: 160, height: 160);
        string straightDir = data.NewRunDir(), splitDir = data.NewRunDir();
        using var straight = new Trainer(JsiRecipe(data, 3), straightDir);
        var result = straight.Run();
        // The first step runs at the base rate either way; a one-step run cannot decay after step 1.
        using (var first = new Trainer(JsiRecipe(data, 1, linearFrom: null), splitDir)) first.Run();
        using var second = new Trainer(JsiRecipe(data, 3), splitDir);
        second.Run(resumeFrom: Path.Combine(splitDir, "training_states", "1.state"));
        foreach (var (key, tensor) in straight.Network!.state_dict())
        {
            using var eq = tensor.eq(second.Network!.state_dict()[key]);
            Assert.True(eq.all().item<bool>(), $"{key} differs after resume");
        }
        var (shipped, card) = HdrUp.Models.Checkpoints.ModelStore.Load(result.WeightsPath);
        using (shipped) Assert.IsType<JSInet>(shipped);
        Assert.Contains("JsiGan (L2 + relativistic hinge GAN", card!.Notes);
        Assert.Contains("fp32 compute", card.Notes);
    }

    [Fact]
    public void Jsi_gan_options_validate_and_decay_linearly()
    {
        Assert.True(TrainOptions.Parse("""{ "datasets": { "train": { "gt_size": 160 } }, "network": { "type": "jsi-gan" }, "train": { "loss": { "type": "JsiGan" } } }""").Train.Loss.IsJsiGan);
        Assert.Throws<InvalidDataException>(() => TrainOptions.Parse("""{ "datasets": { "train": { "gt_size": 128 } }, "train": { "loss": { "type": "JsiGan" } } }"""));
        Assert.Throws<InvalidDataException>(() => TrainOptions.Parse("""{ "datasets": { "train": { "gt_size": 160 } }, "precision": "bf16", "train": { "loss": { "type": "JsiGan" } } }"""));
        Assert.Throws<InvalidDataException>(() => TrainOptions.Parse("""{ "train": { "total_iter": 100, "scheduler": { "linear_decay_from": 100 } } }"""));
        // 2e-6 held for 40 of 80 steps, then falling linearly to 0 at 80 (JSI-GAN: the last 5 of its 10 GAN epochs).
        var schedule = new MultiStepSchedule(2e-6, [], 0.5, linearDecayFrom: 40, totalSteps: 80);
        Assert.Equal(2e-6, schedule.LearningRateAfter(0), 12);
        Assert.Equal(2e-6, schedule.LearningRateAfter(40), 12);
        Assert.Equal(1e-6, schedule.LearningRateAfter(60), 12);
        Assert.Equal(5e-8, schedule.LearningRateAfter(79), 12);
    }
}
