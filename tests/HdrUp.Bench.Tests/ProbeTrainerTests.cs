using HdrUp.Models;
using HdrUp.Training.Train;
using TorchSharp;
using static TorchSharp.torch;
using HdrUp.Bench.Ablation;
using HdrUp.Training.Tests.Train;

namespace HdrUp.Bench.Tests;

public class ProbeTrainerTests
{
    // Tab. 3 probe on a tiny overfit case: one 16×16 pair, crop 16, batch 1, a frozen nf-8 KPNet, heads trained 5 steps
    // at lr 5e-3 (25× the protocol, so 5 steps make visible progress). Every branch's MSE is finite and lower after
    // 5 steps than with untrained heads (report at 0).
    [Fact]
    public void Probe_reports_finite_decreasing_mse()
    {
        using var data = new SyntheticPairs(count: 1, width: 16, height: 16);
        torch.random.manual_seed(7);
        using var net = (KPNet)ArchRegistry.Create("kpnet", 8);
        var loader = new TrainDataOptions { DatarootGt = data.GtDir, DatarootLq = data.LqDir, GtSize = 16, BatchSize = 1 };
        var reports = new ProbeTrainer(net, loader, threads: 2, lr: 5e-3, evalBatches: 1).Run([0, 5]);
        Assert.Equal(new long[] { 0, 5 }, reports.Select(r => r.Iteration));
        for (int i = 0; i < 3; i++)
        {
            Assert.True(double.IsFinite(reports[1].Mse[i]), $"branch {i + 1}: {reports[1].Mse[i]}");
            Assert.True(reports[1].Mse[i] < reports[0].Mse[i], $"branch {i + 1}: {reports[0].Mse[i]:G4} → {reports[1].Mse[i]:G4}");
        }
        Assert.All(net.parameters(), p => Assert.False(p.requires_grad));   // frozen
    }
}
