using HdrUp.Models;
using HdrUp.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

using HdrUp.Training.Train;

namespace HdrUp.Bench.Ablation;

/// <summary>MSE of the reconstructed compressed-SDR input per branch after <see cref="Iteration"/> probe steps.</summary>
/// <param name="Mse">Paper order K̆₁ (H), K̆₂ (H/2), K̆₃ (H/4); NaN for an absent branch.</param>
public sealed record ProbeReport(long Iteration, IReadOnlyList<double> Mse);

/// <summary>
/// The information-loss probe of paper Tab. 3 (§5.3.1): reconstruct the compressed SDR input from the three scaled
/// SDR features F_S^i of a frozen KPNet — K̆₁ = Conv3×3(F¹), K̆₂ = Conv3×3∘Up(F²), K̆₃ = Conv3×3∘Up∘Up(F³)
/// (<see cref="BranchHeads"/>) — trained with L1 against the input, reporting the MSE after given iteration counts
/// (paper: 500, 5,000, 10,000). F_S^i is taken where the released network's branch features enter the KIB (the DC
/// outputs, <see cref="KPNet.ForwardWithFeatures"/>; the DC blocks replace the paper's per-branch conv, spec §14 item 1).
/// Data: the training loader (<see cref="PatchSampler"/> crops and flips of <see cref="TrainDataOptions"/>); only the LQ
/// side is used. The MSE is measured on a fixed evaluation set of <c>evalBatches</c> batches drawn with another seed.
/// The network is put in eval mode and never updated; only the heads train (Adam, betas 0.9/0.99 as the protocol).
/// </summary>
public sealed class ProbeTrainer
{
    private readonly KPNet net;
    private readonly TrainDataOptions data;
    private readonly int threads;
    private readonly long seed;
    private readonly double lr;
    private readonly int evalBatches;

    /// <param name="net">Frozen KPNet (trained weights loaded by the caller).</param>
    /// <param name="data">Training data (crop, batch, flips as in a recipe).</param>
    /// <param name="threads">libtorch intra-op threads.</param>
    /// <param name="seed">Seed of the heads' initialisation and of the sampler (default 10, the protocol's).</param>
    /// <param name="lr">Adam learning rate of the heads (default 2e-4, the protocol's; the paper gives none).</param>
    /// <param name="evalBatches">Batches in the evaluation set (default 4).</param>
    public ProbeTrainer(KPNet net, TrainDataOptions data, int threads = 1, long seed = 10, double lr = 2e-4, int evalBatches = 4)
    {
        if (lr <= 0) throw new ArgumentOutOfRangeException(nameof(lr), lr, "The learning rate must be positive.");
        if (evalBatches < 1) throw new ArgumentOutOfRangeException(nameof(evalBatches), evalBatches, "At least one evaluation batch.");
        (this.net, this.data, this.threads, this.seed, this.lr, this.evalBatches) = (net, data, threads, seed, lr, evalBatches);
    }

    /// <summary>Trains the heads up to the largest of <paramref name="reportAfter"/> steps and reports after each listed count (and at 0 if listed).</summary>
    public IReadOnlyList<ProbeReport> Run(IReadOnlyList<long> reportAfter, IProgress<ProbeReport>? progress = null, CancellationToken ct = default)
    {
        if (reportAfter.Count == 0 || reportAfter.Any(n => n < 0)) throw new ArgumentException("Give one or more iteration counts ≥ 0.", nameof(reportAfter));
        var marks = reportAfter.Distinct().Order().ToArray();
        torch.set_num_threads(threads);
        torch.random.manual_seed(seed);
        net.eval();
        foreach (var p in net.parameters()) p.requires_grad = false;
        using var heads = new BranchHeads(net.Width, net.Options.Branches);
        heads.train();
        using var adam = torch.optim.Adam(heads.parameters(), lr, 0.9, 0.99);

        var images = PairedImages.Load(data.DatarootGt, data.DatarootLq, threads, 0, ct);
        var sampler = new PatchSampler(images, data, seed);
        var evalSampler = new PatchSampler(images, data, seed + 1);
        var shape = new long[] { data.BatchSize, 3, data.GtSize, data.GtSize };
        var evalSet = Enumerable.Range(0, evalBatches).Select(b => LqBatch(evalSampler, b)).ToArray();

        var reports = new List<ProbeReport>();
        long iteration = 0;
        foreach (long mark in marks)
        {
            for (; iteration < mark; iteration++)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var lq = torch.tensor(LqBatch(sampler, iteration), shape);
                var outs = Reconstruct(heads, lq);
                var loss = outs.Where(o => o is not null).Select(o => nn.functional.l1_loss(o!, lq)).Aggregate((a, b) => a + b);
                adam.zero_grad();
                loss.backward();
                adam.step();
            }
            var report = new ProbeReport(iteration, Evaluate(heads, evalSet, shape));
            reports.Add(report);
            progress?.Report(report);
        }
        return reports;
    }

    // Heads on the frozen network's SDR features (computed without gradients).
    private IReadOnlyList<Tensor?> Reconstruct(BranchHeads heads, Tensor lq)
    {
        Tensor?[] sdr;
        using (torch.no_grad())
        {
            using var f = net.ForwardWithFeatures(lq);
            sdr = f.Sdr.Select(t => t?.detach().clone()).ToArray();
        }
        var outs = heads.call(sdr);
        foreach (var t in sdr) t?.Dispose();
        return outs;
    }

    private double[] Evaluate(BranchHeads heads, float[][] evalSet, long[] shape)
    {
        var sums = new double[3];
        using var noGrad = torch.no_grad();
        foreach (var batch in evalSet)
        {
            using var scope = torch.NewDisposeScope();
            var lq = torch.tensor(batch, shape);
            var outs = Reconstruct(heads, lq);
            for (int i = 0; i < 3; i++)
                sums[i] += outs[i] is { } o ? nn.functional.mse_loss(o, lq).item<float>() : double.NaN;
        }
        return sums.Select(s => s / evalSet.Length).ToArray();
    }

    private float[] LqBatch(PatchSampler sampler, long index)
    {
        int size = data.BatchSize * 3 * data.GtSize * data.GtSize;
        var lq = new float[size];
        sampler.Fill(index, lq, new float[size]);
        return lq;
    }
}
