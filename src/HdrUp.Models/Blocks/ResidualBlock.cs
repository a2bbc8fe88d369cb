// Reproduces the per-pair residual block of the released KPNet IFM (`brain.conv{k}.0`),
// kpnet-architecture.md §3.4: the ReLU follows the second conv, before the residual add.
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.Blocks;

/// <summary>RB(v) = v + ReLU(conv2(ReLU(conv1(v)))), both Conv(3, 1, nf→nf). 73,856 parameters at nf = 64.</summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly ConvLayer conv1;
    private readonly ConvLayer conv2;

    /// <param name="nf">Feature width (default 64).</param>
    public ResidualBlock(long nf = 64) : base(nameof(ResidualBlock))
    {
        conv1 = new ConvLayer(nf, nf, 3);
        conv2 = new ConvLayer(nf, nf, 3);
        RegisterComponents();
    }

    public override Tensor forward(Tensor v)
    {
        using var scope = NewDisposeScope();
        var t = conv1.call(v).relu_().Consume(conv2.call).relu_();
        var result = t.Consume(r => v + r);
        return result.MoveToOuterDisposeScope();
    }
}
