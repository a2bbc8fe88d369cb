// Reproduces KUNet's knowledge-interaction connection KIC (`gammma1/2/3`), kpnet-architecture.md §10.
using HdrUp.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HdrUp.Models.KUNetBlocks;

/// <summary>
/// KIC(x, g) = refin(cos(t, g) ⊙ x) with d = x + ReLU(c(ReLU(c(x)))) (one conv c = <c>denosing.conv.conv</c> used
/// twice), t = ReLU(tmo.1(ReLU(tmo.0(d)))), cos over channels (norms clamped at 1e-8 each). Note the product
/// uses x, not d. 114,944 parameters at nf = 64.
/// </summary>
public sealed class KnowledgeInteraction : nn.Module<Tensor, Tensor, Tensor>
{
    // Declaration order = checkpoint key order (spec §10): tmo, denosing, refin.
    private readonly ModuleList<nn.Module<Tensor, Tensor>> tmo;
    private readonly Denoise denosing;
    private readonly nn.Module<Tensor, Tensor> refin;

    /// <param name="nf">Feature width (default 64).</param>
    public KnowledgeInteraction(long nf = 64) : base(nameof(KnowledgeInteraction))
    {
        tmo = nn.ModuleList<nn.Module<Tensor, Tensor>>(new ConvLayer(nf, nf, 3), new ConvLayer(nf, nf, 3));
        denosing = new Denoise(nf);
        refin = Layers.Conv(nf, nf, 1);
        RegisterComponents();
    }

    /// <param name="x">Encoder feature.</param>
    /// <param name="g">Decoder feature of the same size.</param>
    public override Tensor forward(Tensor x, Tensor g)
    {
        using var scope = NewDisposeScope();
        var t = denosing.call(x).Consume(tmo[0].call).relu_().Consume(tmo[1].call).relu_();
        var m = nn.functional.cosine_similarity(t, g, 1, 1e-8).unsqueeze(1);
        t.Dispose();
        var result = (m * x).Consume(refin.call);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>d = x + ReLU(c(ReLU(c(x)))) with the one conv stored as <c>conv.conv</c>.</summary>
    private sealed class Denoise : nn.Module<Tensor, Tensor>
    {
        private readonly ConvLayer conv;

        public Denoise(long nf) : base(nameof(Denoise))
        {
            conv = new ConvLayer(nf, nf, 3);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var result = conv.call(x).relu_().Consume(conv.call).relu_().Consume(r => x + r);
            return result.MoveToOuterDisposeScope();
        }
    }
}
