// Reproduces the R module (`recon_trunk`) of the released KPNet: the paper's AFE + refinement
// (TPAMI, Eqs. 10–12) as implemented in the code, kpnet-architecture.md §3.2 and §14 items 4–5.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HdrUp.Models.Blocks;

/// <summary>
/// R(x) = ReLU(refine.1(ReLU(refine.0(s)))), s = (E_H(h2h(x)) + PS2(up_sampel.0(E_L(h2l(AvgPool2(x)))))) + x,
/// with E(t) = conv.1(ReLU(conv.0(t))). The split convolutions have no bias. Input H, W must be even.
/// 410,240 parameters at nf = 64.
/// </summary>
public sealed class ReconTrunk : nn.Module<Tensor, Tensor>
{
    private readonly SplitHighLow split_hl;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> conv_h;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> conv_l;
    private readonly nn.Module<Tensor, Tensor> up_sampel;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> refine;

    /// <param name="nf">Feature width (default 64).</param>
    public ReconTrunk(long nf = 64) : base(nameof(ReconTrunk))
    {
        split_hl = new SplitHighLow(nf);
        conv_h = nn.ModuleList<nn.Module<Tensor, Tensor>>(new ConvLayer(nf, nf, 3), new ConvLayer(nf, nf, 3));
        conv_l = nn.ModuleList<nn.Module<Tensor, Tensor>>(new ConvLayer(nf, nf, 3), new ConvLayer(nf, nf, 3));
        up_sampel = Layers.Upsampler(nf);
        refine = nn.ModuleList<nn.Module<Tensor, Tensor>>(new ConvLayer(nf, nf, 3), new ConvLayer(nf, nf, 1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (xh, xl) = split_hl.call(x);
        var eh = xh.Consume(conv_h[0].call).relu_().Consume(conv_h[1].call);   // no ReLU after conv_h.1
        var el = xl.Consume(conv_l[0].call).relu_().Consume(conv_l[1].call);   // no ReLU after conv_l.1
        var up = el.Consume(up_sampel.call);
        var s = eh.Consume(t => t + up);   // (eh + up) + x
        up.Dispose();
        s.add_(x);
        var result = s.Consume(refine[0].call).relu_().Consume(refine[1].call).relu_();
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The frequency split (<c>split_hl</c>): h2l on the 2×2-average-pooled input, h2h on the input; both bias-free 3×3.</summary>
    private sealed class SplitHighLow : nn.Module<Tensor, (Tensor High, Tensor Low)>
    {
        // Declaration order h2l, h2h = checkpoint key order (spec §4).
        private readonly nn.Module<Tensor, Tensor> h2l;
        private readonly nn.Module<Tensor, Tensor> h2h;

        public SplitHighLow(long nf) : base("split_hl")
        {
            h2l = Layers.Conv(nf, nf, 3, bias: false);
            h2h = Layers.Conv(nf, nf, 3, bias: false);
            RegisterComponents();
        }

        public override (Tensor High, Tensor Low) forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var high = h2h.call(x);
            var low = nn.functional.avg_pool2d(x, 2).Consume(h2l.call);
            return (high.MoveToOuterDisposeScope(), low.MoveToOuterDisposeScope());
        }
    }
}
