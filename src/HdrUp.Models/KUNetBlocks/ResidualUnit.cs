// Reproduces KUNet's residual unit (`recon_trunkK.rdb`, KUNet repo codes/models/modules/KIB_DM_F_1X1.py),
// kpnet-architecture.md §10.
using HdrUp.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HdrUp.Models.KUNetBlocks;

/// <summary>U(v) = conv1x1(a₂(a₁(v))) + v with aⱼ(t) = t + ReLU(layer.j.conv(t)). 78,016 parameters at nf = 64.</summary>
public sealed class ResidualUnit : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> layer;
    private readonly ConvLayer conv1x1;

    /// <param name="nf">Feature width (default 64).</param>
    public ResidualUnit(long nf = 64) : base(nameof(ResidualUnit))
    {
        layer = nn.ModuleList<nn.Module<Tensor, Tensor>>(new AddBlock(nf), new AddBlock(nf));
        conv1x1 = new ConvLayer(nf, nf, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor v)
    {
        using var scope = NewDisposeScope();
        var t = layer[0].call(v).Consume(layer[1].call).Consume(conv1x1.call);
        t.add_(v);
        return t.MoveToOuterDisposeScope();
    }

    /// <summary>a(t) = t + ReLU(conv(t)), the conv stored as <c>conv.conv</c>.</summary>
    private sealed class AddBlock : nn.Module<Tensor, Tensor>
    {
        private readonly ConvLayer conv;

        public AddBlock(long nf) : base(nameof(AddBlock))
        {
            conv = new ConvLayer(nf, nf, 3);
            RegisterComponents();
        }

        public override Tensor forward(Tensor t)
        {
            using var scope = NewDisposeScope();
            var result = conv.call(t).relu_().Consume(r => t + r);
            return result.MoveToOuterDisposeScope();
        }
    }
}
