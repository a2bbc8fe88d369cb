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
/// <para>With <c>normalize</c> (paper Tab. 4 "✓", not in the release): a BatchNorm2d(nf) (eps 1e-5, momentum 0.1,
/// affine, running statistics) right after each of the eight convolutions that learn the high-frequency, low-frequency
/// and refined features — h2h, h2l, conv_h.0/1, conv_l.0/1, refine.0/1 — before the ReLU where one follows; the
/// upsampler is left alone. The paper only says "normalization is not applied in the process of learning high
/// frequency, low frequency and original features" (§4.2); BatchNorm is our reading because the release's own
/// normalisation (the IFM's CA) is BatchNorm and the split convolutions are bias-free, the usual conv-before-BN form.
/// Adds 8 × 2nf parameters (1,024 at nf = 64) and 8 × 3 buffers under <c>split_hl.bn_h/bn_l</c>, <c>norm_h</c>,
/// <c>norm_l</c>, <c>norm_refine</c>.</para>
/// </summary>
public sealed class ReconTrunk : nn.Module<Tensor, Tensor>
{
    private readonly SplitHighLow split_hl;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> conv_h;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> conv_l;
    private readonly nn.Module<Tensor, Tensor> up_sampel;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> refine;
    // Only with normalize (Tab. 4 ablation); declared last so the published key order is untouched.
    private readonly ModuleList<nn.Module<Tensor, Tensor>>? norm_h;
    private readonly ModuleList<nn.Module<Tensor, Tensor>>? norm_l;
    private readonly ModuleList<nn.Module<Tensor, Tensor>>? norm_refine;

    /// <param name="nf">Feature width (default 64).</param>
    /// <param name="normalize">BatchNorm after R's convolutions (Tab. 4 ablation; default false = published).</param>
    public ReconTrunk(long nf = 64, bool normalize = false) : base(nameof(ReconTrunk))
    {
        split_hl = new SplitHighLow(nf, normalize);
        conv_h = nn.ModuleList<nn.Module<Tensor, Tensor>>(new ConvLayer(nf, nf, 3), new ConvLayer(nf, nf, 3));
        conv_l = nn.ModuleList<nn.Module<Tensor, Tensor>>(new ConvLayer(nf, nf, 3), new ConvLayer(nf, nf, 3));
        up_sampel = Layers.Upsampler(nf);
        refine = nn.ModuleList<nn.Module<Tensor, Tensor>>(new ConvLayer(nf, nf, 3), new ConvLayer(nf, nf, 1));
        if (normalize)
        {
            norm_h = nn.ModuleList<nn.Module<Tensor, Tensor>>(Layers.Norm(nf), Layers.Norm(nf));
            norm_l = nn.ModuleList<nn.Module<Tensor, Tensor>>(Layers.Norm(nf), Layers.Norm(nf));
            norm_refine = nn.ModuleList<nn.Module<Tensor, Tensor>>(Layers.Norm(nf), Layers.Norm(nf));
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (xh, xl) = split_hl.call(x);
        var eh = Norm(Norm(xh.Consume(conv_h[0].call), norm_h, 0).relu_().Consume(conv_h[1].call), norm_h, 1);   // no ReLU after conv_h.1
        var el = Norm(Norm(xl.Consume(conv_l[0].call), norm_l, 0).relu_().Consume(conv_l[1].call), norm_l, 1);   // no ReLU after conv_l.1
        var up = el.Consume(up_sampel.call);
        var s = eh.Consume(t => t + up);   // (eh + up) + x
        up.Dispose();
        s.add_(x);
        var result = Norm(Norm(s.Consume(refine[0].call), norm_refine, 0).relu_().Consume(refine[1].call), norm_refine, 1).relu_();
        return result.MoveToOuterDisposeScope();
    }

    // t through the i-th normaliser (t disposed), or t itself when there is none (the published network).
    private static Tensor Norm(Tensor t, ModuleList<nn.Module<Tensor, Tensor>>? norms, int i)
        => norms is null ? t : t.Consume(norms[i].call);

    /// <summary>The frequency split (<c>split_hl</c>): h2l on the 2×2-average-pooled input, h2h on the input; both bias-free 3×3.</summary>
    private sealed class SplitHighLow : nn.Module<Tensor, (Tensor High, Tensor Low)>
    {
        // Declaration order h2l, h2h = checkpoint key order (spec §4).
        private readonly nn.Module<Tensor, Tensor> h2l;
        private readonly nn.Module<Tensor, Tensor> h2h;
        private readonly nn.Module<Tensor, Tensor>? bn_l;   // normalize only
        private readonly nn.Module<Tensor, Tensor>? bn_h;

        public SplitHighLow(long nf, bool normalize) : base("split_hl")
        {
            h2l = Layers.Conv(nf, nf, 3, bias: false);
            h2h = Layers.Conv(nf, nf, 3, bias: false);
            if (normalize)
            {
                bn_l = Layers.Norm(nf);
                bn_h = Layers.Norm(nf);
            }
            RegisterComponents();
        }

        public override (Tensor High, Tensor Low) forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var high = h2h.call(x);
            if (bn_h is not null) high = high.Consume(bn_h.call);
            var low = nn.functional.avg_pool2d(x, 2).Consume(h2l.call);
            if (bn_l is not null) low = low.Consume(bn_l.call);
            return (high.MoveToOuterDisposeScope(), low.MoveToOuterDisposeScope());
        }
    }
}
