// Reproduces the pre-KIB "DC" block of the released KPNet (`dislocation_change1/2/3`,
// kpnet-architecture.md §3.1); the paper does not describe it (§14 item 1).
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.Blocks;

/// <summary>
/// DC(x) = fuse(cat(a, b, x)) with a = ReLU(conv1(x)) + x and b = ReLU(conv2(a)).
/// conv1, conv2: Conv(3, 1, nf→nf); fuse: Conv(1, 1, 3nf→nf), no activation. 86,208 parameters at nf = 64.
/// </summary>
public sealed class DislocationChange : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> conv2;
    private readonly nn.Module<Tensor, Tensor> fuse;

    /// <param name="nf">Feature width (default 64).</param>
    public DislocationChange(long nf = 64) : base(nameof(DislocationChange))
    {
        conv1 = Layers.Conv(nf, nf, 3);
        conv2 = Layers.Conv(nf, nf, 3);
        fuse = Layers.Conv(3 * nf, nf, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var a = conv1.call(x).relu_().Consume(t => t + x);   // residual after the ReLU
        var b = conv2.call(a).relu_();
        var cat = torch.cat(new[] { a, b, x }, 1);           // order a, b, x
        a.Dispose();
        b.Dispose();
        var result = cat.Consume(fuse.call);
        return result.MoveToOuterDisposeScope();
    }
}
