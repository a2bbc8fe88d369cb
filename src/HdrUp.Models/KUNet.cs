// Reproduces KUNet (Wang et al., IJCAI 2022, "KUNet: Imaging Knowledge-Inspired Single HDR Image
// Reconstruction"), official class HDRUNet in the KUNet repo's codes/models/modules/KIB_DM_F_1X1.py
// (registered as KIB_DM_F_1x1), as specified in kpnet-architecture.md §10.
using HdrUp.Models.Blocks;
using HdrUp.Models.KUNetBlocks;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models;

/// <summary>
/// A U-shaped cascade of KIBs (R ⊙ X + Y with unit chains as R, X and Y shared) with knowledge-interaction
/// skips. 1,136,643 parameters, 74 state-dict entries. Input H, W multiples of 4.
/// </summary>
public sealed class KUNet : HdrNetwork
{
    // Declaration order = checkpoint key order (spec §10).
    private readonly nn.Module<Tensor, Tensor> conv_first;
    private readonly nn.Module<Tensor, Tensor> conv_2;          // used twice (head and tail)
    private readonly nn.Module<Tensor, Tensor> HR_conv1;
    private readonly nn.Module<Tensor, Tensor> down_conv1;
    private readonly nn.Module<Tensor, Tensor> down_conv2;
    private readonly UnitChain recon_trunk1;
    private readonly UnitChain recon_trunk2;                     // used twice
    private readonly UnitChain recon_trunk3;
    private readonly nn.Module<Tensor, Tensor> up_conv1;
    private readonly nn.Module<Tensor, Tensor> up_conv2;
    private readonly nn.Module<Tensor, Tensor> HR_conv2;
    private readonly nn.Module<Tensor, Tensor> conv_last;
    private readonly nn.Module<Tensor, Tensor> alpha;
    private readonly nn.Module<Tensor, Tensor> belta;
    private readonly KnowledgeInteraction gammma1;
    private readonly KnowledgeInteraction gammma2;
    private readonly KnowledgeInteraction gammma3;
    private readonly int nf;

    /// <summary>Builds KUNet.</summary>
    /// <param name="nf">Feature width (default 64).</param>
    public KUNet(int nf = 64) : base(nameof(KUNet))
    {
        this.nf = nf;
        conv_first = Layers.Conv(3, nf, 3);
        conv_2 = Layers.Conv(nf, nf, 3);
        HR_conv1 = Layers.Conv(nf, nf, 3);
        down_conv1 = Layers.Conv(nf, nf, 3, stride: 2);
        down_conv2 = Layers.Conv(nf, nf, 3, stride: 2);
        recon_trunk1 = new UnitChain(nf, 4);
        recon_trunk2 = new UnitChain(nf, 6);
        recon_trunk3 = new UnitChain(nf, 4);
        up_conv1 = Layers.Upsampler(nf);
        up_conv2 = Layers.Upsampler(nf);
        HR_conv2 = Layers.Conv(nf, nf, 3);
        conv_last = Layers.Conv(nf, 3, 3);
        alpha = Layers.Modulator(nf);
        belta = Layers.Modulator(nf);
        gammma1 = new KnowledgeInteraction(nf);
        gammma2 = new KnowledgeInteraction(nf);
        gammma3 = new KnowledgeInteraction(nf);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override int SizeMultiple => 4;

    /// <inheritdoc/>
    public override int Width => nf;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var e0 = conv_first.call(input).relu_().Consume(conv_2.call).Consume(HR_conv1.call).relu_();   // E0
        var e1 = Kib(recon_trunk1, down_conv1.call(e0).relu_(), disposeInput: true);                                    // E1
        var e2 = down_conv2.call(e1).relu_();                                                         // E2
        var b = Kib(recon_trunk2, e2);
        b = Kib(recon_trunk2, b, disposeInput: true);
        b = b.Consume(t => { using var k = gammma3.call(e2, t); return t + k; });                     // B
        e2.Dispose();
        var d1 = b.Consume(up_conv1.call).relu_();
        d1 = d1.Consume(t => { using var k = gammma2.call(e1, t); return t + k; });
        e1.Dispose();
        d1 = Kib(recon_trunk3, d1, disposeInput: true);                                               // D1
        var d0 = d1.Consume(up_conv2.call).relu_();
        d0 = d0.Consume(t => { using var k = gammma1.call(e0, t); return t + k; });                   // D0
        e0.Dispose();
        var result = d0.Consume(conv_2.call).Consume(HR_conv2.call).relu_().Consume(conv_last.call);  // O
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>KIB_T(v) = T(v) ⊙ X(v) + Y(v), X and Y shared by all four applications.</summary>
    private Tensor Kib(UnitChain trunk, Tensor v, bool disposeInput = false)
    {
        using var scope = NewDisposeScope();
        var k = trunk.call(v);
        k = k.Consume(r => { using var x = alpha.call(v); return r * x; });
        k = k.Consume(r => { using var y = belta.call(v); return r + y; });
        if (disposeInput) v.Dispose();
        return k.MoveToOuterDisposeScope();
    }
}
