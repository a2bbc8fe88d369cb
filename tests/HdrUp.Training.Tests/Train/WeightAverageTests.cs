using HdrUp.Models;
using HdrUp.Models.Checkpoints;
using HdrUp.Training.Train;
using TorchSharp;

namespace HdrUp.Training.Tests.Train;

public class WeightAverageTests
{
    private static bool Same(torch.Tensor x, torch.Tensor y) =>
        x.dtype == y.dtype && x.shape.SequenceEqual(y.shape) && x.eq(y).all().item<bool>();

    // a₀ = w₀; after the weights become w₁, one update gives a₁ = d·w₀ + (1 − d)·w₁ (d = 0.75: 0.75·1 + 0.25·5 = 2).
    [Fact]
    public void Update_moves_the_average_a_quarter_of_the_way_at_decay_three_quarters()
    {
        using var net = ArchRegistry.Create("kpnet", 8);
        using (torch.no_grad()) foreach (var p in net.parameters()) p.fill_(1f);
        using var average = new WeightAverage(net, "kpnet", 8, 0.75);
        using (torch.no_grad()) foreach (var p in net.parameters()) p.fill_(5f);
        average.Update();
        var averaged = average.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.All(net.named_parameters(), p => Assert.True(averaged[p.name].eq(2f).all().item<bool>(), p.name));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightAverage(net, "kpnet", 8, 1.0));
    }

    // With ema_decay the run's weights file holds the average, not the last step's weights; a resumed run carries the
    // average in its state and ends bit for bit where an uninterrupted one does.
    [Fact]
    public void Weights_are_the_average_and_it_survives_a_resume_bit_for_bit()
    {
        using var data = new SyntheticPairs(count: 5, width: 24, height: 24);
        TrainOptions Recipe(long n) => data.Options(n, lr: 2e-3) with { Train = data.Options(n, lr: 2e-3).Train with { EmaDecay = 0.5 } };
        string straightDir = data.NewRunDir(), splitDir = data.NewRunDir();
        using var straight = new Trainer(Recipe(6), straightDir);
        var result = straight.Run();
        var (saved, card) = ModelStore.Load(result.WeightsPath);
        using (saved)
        {
            Assert.Contains("exponential moving average with decay 0.5", card!.Notes);
            var last = straight.Network!.state_dict();
            Assert.Contains(saved.state_dict(), kv => kv.Value.is_floating_point() && !Same(kv.Value, last[kv.Key]));
        }

        using (var first = new Trainer(Recipe(3), splitDir)) first.Run();
        using var second = new Trainer(Recipe(6), splitDir);
        var resumed = second.Run(resumeFrom: Path.Combine(splitDir, "training_states", "3.state"));
        var (a, _) = ModelStore.Load(result.WeightsPath);
        var (b, _) = ModelStore.Load(resumed.WeightsPath);
        using (a) using (b)
            foreach (var (key, tensor) in a.state_dict())
                Assert.True(Same(tensor, b.state_dict()[key]), $"{key}: the average differs after a resume");
        Assert.Equal(0.999, TrainOptions.Parse("""{ "train": { "ema_decay": 0.999 } }""").Train.EmaDecay);
        Assert.Throws<InvalidDataException>(() => TrainOptions.Parse("""{ "train": { "ema_decay": 1.0 } }"""));
    }
}
