// Reproduces the Information Fusion Module (IFM, `brain`) of the released KPNet,
// kpnet-architecture.md §3.4 and §14 item 7 (TPAMI Eqs. 16–17 as implemented in the code).
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HdrUp.Models.Blocks;

/// <summary>
/// IFM over the aligned half-resolution features. With three inputs (one, two, three) it is the
/// published module: A1 = P(cat(one, two)), A2 = P(cat(one, three)), A3 = P(cat(two, three)) with one
/// shared P = ReLU(conv_1x1Share.0(·)); B_k = RB_k(A_k); C = ReLU(CA(B1) + CA(B2) + CA(B3)) with one
/// shared CA (<c>nm_att</c>); G = refine.1(ReLU(refine.0(C))). 272,600 parameters at nf = 64.
/// With two inputs (ablation with two branches) only the single pair (a, b) exists: conv1 only,
/// G = refine.1(ReLU(refine.0(ReLU(CA(RB_1(P(cat(a, b)))))))) — 124,888 parameters at nf = 64.
/// </summary>
public sealed class InformationFusion : nn.Module<IReadOnlyList<Tensor>, Tensor>
{
    // Declaration order = checkpoint key order (spec §4): conv_1x1Share, conv1, conv2, conv3, refine, nm_att.
    private readonly nn.Module<Tensor, Tensor> conv_1x1Share;
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor>? conv2;
    private readonly nn.Module<Tensor, Tensor>? conv3;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> refine;
    private readonly CoordinateAttention nm_att;
    private readonly int inputs;

    /// <param name="nf">Feature width (default 64).</param>
    /// <param name="inputs">Number of aligned features to fuse: 3 (published IFM) or 2 (one pair).</param>
    public InformationFusion(long nf = 64, int inputs = 3) : base(nameof(InformationFusion))
    {
        if (inputs is not (2 or 3)) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "The IFM fuses 2 or 3 features.");
        this.inputs = inputs;
        conv_1x1Share = nn.Sequential(("0", new ConvLayer(2 * nf, nf, 1)));
        conv1 = nn.Sequential(("0", new ResidualBlock(nf)));
        if (inputs == 3)
        {
            conv2 = nn.Sequential(("0", new ResidualBlock(nf)));
            conv3 = nn.Sequential(("0", new ResidualBlock(nf)));
        }
        refine = nn.ModuleList<nn.Module<Tensor, Tensor>>(new ConvLayer(nf, nf, 3), new ConvLayer(nf, nf, 1));
        nm_att = new CoordinateAttention(nf);
        RegisterComponents();
    }

    /// <param name="features">The aligned features in the order (KM, U, D) restricted to the branches present.</param>
    public override Tensor forward(IReadOnlyList<Tensor> features)
    {
        if (features.Count != inputs) throw new ArgumentException($"The IFM was built for {inputs} inputs, got {features.Count}.", nameof(features));
        using var scope = NewDisposeScope();
        Tensor c;
        if (inputs == 3)
        {
            var (one, two, three) = (features[0], features[1], features[2]);
            var ca1 = Pair(one, two, conv1);
            var ca2 = Pair(one, three, conv2!);
            var sum = ca1.Consume(t => t + ca2);     // CA(B1) + CA(B2), then + CA(B3)
            ca2.Dispose();
            var ca3 = Pair(two, three, conv3!);
            sum.add_(ca3);
            ca3.Dispose();
            c = sum.relu_();
        }
        else
        {
            c = Pair(features[0], features[1], conv1).relu_();
        }
        var g = c.Consume(refine[0].call).relu_().Consume(refine[1].call);   // no activation after refine.1
        return g.MoveToOuterDisposeScope();
    }

    private Tensor Pair(Tensor a, Tensor b, nn.Module<Tensor, Tensor> block)
        => torch.cat(new[] { a, b }, 1).Consume(conv_1x1Share.call).relu_().Consume(block.call).Consume(nm_att.call);
}
