// The two alternative fusions of paper Tab. 2 (rows 10 and 11, TPAMI §5.3.1, Eqs. 15–16), which have no code in
// the release. Both keep the IFM's refinement (refine.0 3×3 → ReLU → refine.1 1×1): the paper puts those two
// convolutions in its tail (§4.1, I_H = Conv3×3∘UP∘Conv1×1∘Conv3×3∘ReLU(F_fuse)), the release inside the IFM
// (kpnet-architecture.md §14 item 7), so only the fusion itself differs from the published network.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HdrUp.Models.Blocks;

/// <summary>
/// IFM_D (Tab. 2 row 10): G = refine.1(ReLU(refine.0(ReLU(α₂·KM + α₃·U + α₁·D)))), fixed α. In paper numbering
/// F¹ = H (the code's D), F² = H/2 (KM), F³ = H/4 (U), and the paper's best setting is α₁ = 0.3, α₂ = 0.4, α₃ = 0.3:
/// the half-resolution branch, the one fusion runs at (no resampling), weighs 0.4; the two resampled ones 0.3 each.
/// Only <c>refine</c> has parameters: 41,088 at nf = 64 (3×3 36,928 + 1×1 4,160).
/// </summary>
public sealed class WeightedFusion : nn.Module<IReadOnlyList<Tensor>, Tensor>
{
    /// <summary>Weights of the aligned features in the order the network passes them: (KM = F², U = F³, D = F¹).</summary>
    public static IReadOnlyList<double> Alphas { get; } = [0.4, 0.3, 0.3];

    private readonly ModuleList<nn.Module<Tensor, Tensor>> refine;

    /// <param name="nf">Feature width (default 64).</param>
    public WeightedFusion(long nf = 64) : base(nameof(WeightedFusion))
    {
        refine = nn.ModuleList<nn.Module<Tensor, Tensor>>(new ConvLayer(nf, nf, 3), new ConvLayer(nf, nf, 1));
        RegisterComponents();
    }

    /// <param name="features">(KM, U, D), all N×nf×h×w.</param>
    public override Tensor forward(IReadOnlyList<Tensor> features)
    {
        if (features.Count != 3) throw new ArgumentException($"IFM_D fuses the three branches, got {features.Count}.", nameof(features));
        using var scope = NewDisposeScope();
        var sum = features[0] * Alphas[0];
        for (int i = 1; i < 3; i++) sum.add_(features[i], Alphas[i]);
        var g = sum.relu_().Consume(refine[0].call).relu_().Consume(refine[1].call);
        return g.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// IFM_N (Tab. 2 row 11): F_fuse = T₁[F¹] + T₂[F²] + T₃[F³] — the IFM with the pairs removed. Our reading of T_k
/// (paper Eq. 17 applied to one feature instead of a concatenated pair): T_k(F) = CA(RB_k(ReLU(conv_1x1.k(F)))) with
/// its own 1×1 (nf→nf, since there is no pair to halve), its own residual block and the IFM's one shared coordinate
/// attention; then C = ReLU(ΣT_k) and G = refine.1(ReLU(refine.0(C))) exactly as in the IFM. 276,824 parameters at
/// nf = 64: three 1×1 4,160 + three RB 73,856 + refine 41,088 + CA 1,688.
/// </summary>
public sealed class UnpairedFusion : nn.Module<IReadOnlyList<Tensor>, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> conv_1x1;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> blocks;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> refine;
    private readonly CoordinateAttention nm_att;

    /// <param name="nf">Feature width (default 64).</param>
    public UnpairedFusion(long nf = 64) : base(nameof(UnpairedFusion))
    {
        conv_1x1 = nn.ModuleList<nn.Module<Tensor, Tensor>>(new ConvLayer(nf, nf, 1), new ConvLayer(nf, nf, 1), new ConvLayer(nf, nf, 1));
        blocks = nn.ModuleList<nn.Module<Tensor, Tensor>>(new ResidualBlock(nf), new ResidualBlock(nf), new ResidualBlock(nf));
        refine = nn.ModuleList<nn.Module<Tensor, Tensor>>(new ConvLayer(nf, nf, 3), new ConvLayer(nf, nf, 1));
        nm_att = new CoordinateAttention(nf);
        RegisterComponents();
    }

    /// <param name="features">(KM, U, D), all N×nf×h×w.</param>
    public override Tensor forward(IReadOnlyList<Tensor> features)
    {
        if (features.Count != 3) throw new ArgumentException($"IFM_N fuses the three branches, got {features.Count}.", nameof(features));
        using var scope = NewDisposeScope();
        Tensor? sum = null;
        for (int k = 0; k < 3; k++)
        {
            var t = conv_1x1[k].call(features[k]).relu_().Consume(blocks[k].call).Consume(nm_att.call);
            if (sum is null) sum = t;
            else { sum.add_(t); t.Dispose(); }
        }
        var g = sum!.relu_().Consume(refine[0].call).relu_().Consume(refine[1].call);
        return g.MoveToOuterDisposeScope();
    }
}
