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
}
