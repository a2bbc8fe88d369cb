// Reproduces KPNet as released by the authors (GitHub wanghu178/KPNet @ bf4900f,
// code/models/modules/newIdea/scale_3_brain_new1.py, class KUNet2) — the network of
// "Compressed-SDR to HDR Video Reconstruction" (TPAMI) — layer for layer as specified in
// kpnet-architecture.md §2–§6, with checkpoint-compatible state-dict keys (§4).
// Ablations of paper Tab. 2 / Tab. 5 are constructor options (KPNetOptions).
using HdrUp.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models;

/// <summary>
/// KPNet: three resolution branches (H, H/2, H/4) each through a DC block and one shared KIB
/// (R ⊙ X + Y), aligned at H/2 (strided conv down, conv + PixelShuffle up), fused by the IFM, then
/// brought back to H by conv + PixelShuffle + ReLU and a 64→3 conv. No clamp, no global skip.
/// Published model: 1,552,475 parameters (1,367,835 executed), 89 state-dict entries.
/// </summary>
/// <remarks>
/// Ablations (<see cref="KPNetOptions"/>): the KIB without X (R + Y) or without Y (R ⊙ X); any subset of
/// branches; fusion by plain sum. With one branch there is nothing to fuse: its aligned half-resolution
/// feature goes straight to the tail (no <c>brain</c>). With two branches the IFM keeps its structure
/// for the one pair that exists (shared 1×1, one residual block, CA, ReLU, refine), i.e. the paper's
/// pairwise fusion reduced to a single pair rather than a different module. Sum fusion replaces the
/// whole IFM by KM + U + D. The tail always works from H/2, so every variant keeps the same
/// downsampling-by-8-compatible geometry when the quarter branch exists. Further ablations: R alone in the KIB
/// (Tab. 2 row 6), IFM_D / IFM_N fusion (rows 10, 11, see <see cref="WeightedFusion"/>, <see cref="UnpairedFusion"/>),
/// BatchNorm in R (Tab. 4, see <see cref="ReconTrunk"/>). <see cref="ForwardWithFeatures"/> also returns the
/// per-branch features for the L_KIB loss and the information-loss probe.
/// </remarks>
public sealed class KPNet : HdrNetwork
{
    // Declaration order = checkpoint key order (spec §4).
    private readonly nn.Module<Tensor, Tensor> conv_first;
    private readonly nn.Module<Tensor, Tensor>? down_conv1;
    private readonly nn.Module<Tensor, Tensor>? down_conv2;
    private readonly nn.Module<Tensor, Tensor>? down_conv3;
    private readonly nn.Module<Tensor, Tensor>? down_fea1;            // never executed (spec §2)
    private readonly ReconTrunk recon_trunk;
    private readonly DislocationChange? dislocation_change1;          // H/2 branch
    private readonly DislocationChange? dislocation_change2;          // H/4 branch
    private readonly DislocationChange? dislocation_change3;          // H branch
    private readonly nn.Module<Tensor, Tensor>? up_conv1;             // never executed (spec §2)
    private readonly nn.Module<Tensor, Tensor> up_conv2;
    private readonly nn.Module<Tensor, Tensor>? up_KIB2;
    private readonly nn.Module<Tensor, Tensor> conv_last;
    private readonly nn.Module<IReadOnlyList<Tensor>, Tensor>? brain;   // IFM, or IFM_D / IFM_N (Tab. 2 rows 10, 11)
    private readonly nn.Module<Tensor, Tensor>? alpha;
    private readonly nn.Module<Tensor, Tensor>? belta;

    /// <summary>The options this instance was built with.</summary>
    public KPNetOptions Options { get; }

    /// <summary>Builds KPNet; <paramref name="options"/> null = the published network.</summary>
    /// <param name="options">Width and ablation switches, see <see cref="KPNetOptions"/>.</param>
    public KPNet(KPNetOptions? options = null) : base(nameof(KPNet))
    {
        Options = options ??= KPNetOptions.Published;
        if (options.Nf < 8) throw new ArgumentOutOfRangeException(nameof(options), options.Nf, "KPNet width nf must be at least 8.");
        if (options.BranchCount == 0) throw new ArgumentException("KPNet needs at least one branch.", nameof(options));
        long nf = options.Nf;
        bool full = options.Branches.HasFlag(KPNetBranches.Full);
        bool half = options.Branches.HasFlag(KPNetBranches.Half);
        bool quarter = options.Branches.HasFlag(KPNetBranches.Quarter);

        conv_first = Layers.Conv(3, nf, 3);
        if (half || quarter) down_conv1 = Layers.Conv(nf, nf, 3, stride: 2);
        if (quarter) down_conv2 = Layers.Conv(nf, nf, 3, stride: 2);
        if (full) down_conv3 = Layers.Conv(nf, nf, 3, stride: 2);
        if (options.IncludeUnusedModules) down_fea1 = Layers.Conv(nf, nf, 3, stride: 2);
        recon_trunk = new ReconTrunk(nf, options.Normalize);
        if (half) dislocation_change1 = new DislocationChange(nf);
        if (quarter) dislocation_change2 = new DislocationChange(nf);
        if (full) dislocation_change3 = new DislocationChange(nf);
        if (options.IncludeUnusedModules) up_conv1 = Layers.Upsampler(nf);
        up_conv2 = Layers.Upsampler(nf);
        if (quarter) up_KIB2 = Layers.Upsampler(nf);
        conv_last = Layers.Conv(nf, 3, 3);
        if (options.Fusion is FusionMode.Weighted or FusionMode.Unpaired && options.BranchCount != 3)
            throw new ArgumentException($"{options.Fusion} fusion (IFM_D / IFM_N) needs all three branches.", nameof(options));
        brain = options.Fusion switch
        {
            FusionMode.Ifm when options.BranchCount >= 2 => new InformationFusion(nf, options.BranchCount),
            FusionMode.Weighted => new WeightedFusion(nf),
            FusionMode.Unpaired => new UnpairedFusion(nf),
            _ => null,
        };
        if (options.Kib is KibMode.Full or KibMode.WithoutY) alpha = Layers.Modulator(nf);
        if (options.Kib is KibMode.Full or KibMode.WithoutX) belta = Layers.Modulator(nf);
        RegisterComponents();
    }

    /// <inheritdoc/>
    /// <remarks>8 with the H/4 branch (R runs at H/4 and pools once more), 4 with H/2 as the lowest branch, 2 for B1 alone.</remarks>
    public override int SizeMultiple =>
        Options.Branches.HasFlag(KPNetBranches.Quarter) ? 8 : Options.Branches.HasFlag(KPNetBranches.Half) ? 4 : 2;

    /// <inheritdoc/>
    public override int Width => Options.Nf;

    /// <inheritdoc/>
    public override IReadOnlyList<string> NeverExecutedModules =>
        Options.IncludeUnusedModules ? new[] { "down_fea1", "up_conv1" } : Array.Empty<string>();

    public override Tensor forward(Tensor input) => Run(input, null, null);

    /// <summary>
    /// The forward pass (same output as <see cref="forward"/>, bit for bit) that also returns, per branch in paper
    /// order (index 0 = H, 1 = H/2, 2 = H/4; null where the branch is absent), the SDR feature entering the KIB
    /// (the DC output, the release's stand-in for the paper's F_S, §14 item 1) and the KIB output K_i at the
    /// branch's own resolution (before the alignment to H/2). The caller disposes the result.
    /// </summary>
    public KPNetFeatures ForwardWithFeatures(Tensor input)
    {
        var sdr = new Tensor?[3];
        var kib = new Tensor?[3];
        var output = Run(input, sdr, kib);
        return new KPNetFeatures(output, sdr, kib);
    }

    private Tensor Run(Tensor input, Tensor?[]? sdr, Tensor?[]? kib)
    {
        using var scope = NewDisposeScope();
        bool keep = sdr is not null;
        var f0 = conv_first.call(input).relu_();                                   // F0
        var m0 = down_conv1?.call(f0).relu_();                                      // M0
        var aligned = new List<Tensor>(3);
        // DC then KIB of one branch; the DC output is disposed unless the caller keeps the features.
        Tensor Branch(int slot, Tensor p)
        {
            var k = Kib(p);
            if (keep) (sdr![slot], kib![slot]) = (p, k);
            else p.Dispose();
            return k;
        }
        if (dislocation_change1 is not null)                                        // B2: H/2 branch
            aligned.Add(Branch(1, dislocation_change1.call(m0!)));                 // KM
        if (dislocation_change2 is not null)                                        // B3: H/4 branch
        {
            var s0 = down_conv2!.call(m0!).relu_();                                 // S0 from M0, not F0
            var ks = Branch(2, s0.Consume(dislocation_change2.call));
            aligned.Add(keep ? up_KIB2!.call(ks) : ks.Consume(up_KIB2!.call));    // U, no activation
        }
        m0?.Dispose();
        if (dislocation_change3 is not null)                                        // B1: H branch
        {
            var kl = Branch(0, dislocation_change3.call(f0));
            aligned.Add(keep ? down_conv3!.call(kl) : kl.Consume(down_conv3!.call)); // D, no activation
        }
        f0.Dispose();

        Tensor g;
        if (brain is not null)
            g = brain.call(aligned);                                                // G = IFM(KM, U, D) or IFM_D / IFM_N
        else
        {
            g = aligned[0];                                                         // one branch: nothing to fuse
            for (int i = 1; i < aligned.Count; i++)                                 // sum fusion: (KM + U) + D
            {
                var sum = g + aligned[i];
                if (i > 1) g.Dispose();
                g = sum;
            }
        }
        bool Kept(Tensor t) => keep && kib!.Any(k => ReferenceEquals(k, t));
        foreach (var t in aligned)
            if (!ReferenceEquals(t, g) && !Kept(t)) t.Dispose();

        var up = Kept(g) ? up_conv2.call(g) : g.Consume(up_conv2.call);
        var result = up.relu_().Consume(conv_last.call);                           // T, O
        if (keep)
            foreach (var t in sdr!.Concat(kib!))
                t?.MoveToOuterDisposeScope();
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The shared KIB: R(x) ⊙ X(x) + Y(x) (or the ablated form: R + Y, R ⊙ X, R).</summary>
    private Tensor Kib(Tensor x)
    {
        using var scope = NewDisposeScope();
        var k = recon_trunk.call(x);
        if (alpha is not null) k = k.Consume(r => { using var xx = alpha.call(x); return r * xx; });
        if (belta is not null) k = k.Consume(r => { using var yy = belta.call(x); return r + yy; });
        return k.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Output of <see cref="KPNet.ForwardWithFeatures"/>: the network output and, per branch in paper order (H, H/2,
/// H/4), the SDR feature entering the KIB and the KIB output; null for an absent branch. Disposing disposes all.
/// </summary>
public sealed record KPNetFeatures(Tensor Output, IReadOnlyList<Tensor?> Sdr, IReadOnlyList<Tensor?> Kib) : IDisposable
{
    public void Dispose()
    {
        Output.Dispose();
        foreach (var t in Sdr.Concat(Kib)) t?.Dispose();
    }
}
