// Reproduces the single-KIB KPNet variant ("lightweight", paper Tab. 2, about 512K parameters),
// file newIdea/scale_1.py of the first KPNet code commit c9e7702, as specified in
// kpnet-architecture.md §9.
using HdrUp.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models;

/// <summary>
/// One full-resolution branch, no fusion: O = conv_last(KIB(DC(ReLU(conv_first(I))))), KIB = R ⊙ X + Y.
/// 516,611 parameters, 34 state-dict entries. Input H, W even.
/// </summary>
public sealed class KPNetSingleKib : HdrNetwork
{
    // Declaration order = checkpoint key order (spec §9).
    private readonly nn.Module<Tensor, Tensor> conv_first;
    private readonly ReconTrunk recon_trunk;
    private readonly DislocationChange dislocation_change1;
    private readonly nn.Module<Tensor, Tensor> conv_last;
    private readonly nn.Module<Tensor, Tensor> alpha;
    private readonly nn.Module<Tensor, Tensor> belta;
    private readonly int nf;

    /// <summary>Builds the single-KIB network.</summary>
    /// <param name="nf">Feature width (default 64).</param>
    public KPNetSingleKib(int nf = 64) : base(nameof(KPNetSingleKib))
    {
        this.nf = nf;
        conv_first = Layers.Conv(3, nf, 3);
        recon_trunk = new ReconTrunk(nf);
        dislocation_change1 = new DislocationChange(nf);
        conv_last = Layers.Conv(nf, 3, 3);
        alpha = Layers.Modulator(nf);
        belta = Layers.Modulator(nf);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override int SizeMultiple => 2;

    /// <inheritdoc/>
    public override int Width => nf;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var p = conv_first.call(input).relu_().Consume(dislocation_change1.call);   // F0, P
        var k = recon_trunk.call(p);
        k = k.Consume(r => { using var x = alpha.call(p); return r * x; });
        k = k.Consume(r => { using var y = belta.call(p); return r + y; });          // K
        p.Dispose();
        var result = k.Consume(conv_last.call);                                       // O, no activation
        return result.MoveToOuterDisposeScope();
    }
}
