// Reproduces the coordinate attention of the released KPNet IFM (`brain.nm_att`),
// kpnet-architecture.md §3.5 (Hou et al., CVPR 2021 design with BatchNorm and h-swish).
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.Blocks;

/// <summary>
/// CA(x) = (x · gw) · gh with gh = σ(conv_h(fh)), gw = σ(conv_w(fw)), [fh; fw] = hswish(bn1(conv1([mean_W x; mean_H x]))).
/// Bottleneck m = max(8, nf/32) channels; BatchNorm2d(m), eps 1e-5, momentum 0.1, over the h+w stacked positions.
/// Not residual. Pools whole rows and columns, so every output pixel depends on the whole image.
/// 1,688 parameters at nf = 64 (plus 3 BatchNorm buffers).
/// </summary>
public sealed class CoordinateAttention : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly nn.Module<Tensor, Tensor> conv_h;
    private readonly nn.Module<Tensor, Tensor> conv_w;

    /// <param name="nf">Feature width (default 64).</param>
    /// <param name="reduction">Channel reduction (default 32, floor of 8 bottleneck channels).</param>
    public CoordinateAttention(long nf = 64, long reduction = 32) : base(nameof(CoordinateAttention))
    {
        long mid = Math.Max(8, nf / reduction);
        conv1 = Layers.Conv(nf, mid, 1);
        bn1 = nn.BatchNorm2d(mid, eps: 1e-5, momentum: 0.1);
        conv_h = Layers.Conv(mid, nf, 1);
        conv_w = Layers.Conv(mid, nf, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long h = x.shape[2], w = x.shape[3];
        var zh = x.mean(new long[] { 3 }, keepdim: true);                        // N×C×h×1, one value per row
        var zw = x.mean(new long[] { 2 }, keepdim: true).permute(0, 1, 3, 2);    // N×C×w×1, one value per column
        var z = torch.cat(new[] { zh, zw }, 2);                                    // rows first, then columns
        var f = nn.functional.hardswish(bn1.call(conv1.call(z)));
        var parts = f.split(new[] { h, w }, 2);
        var gh = conv_h.call(parts[0]).sigmoid();                                  // N×C×h×1
        var gw = conv_w.call(parts[1].permute(0, 1, 3, 2)).sigmoid();              // N×C×1×w
        var result = (x * gw).Consume(t => t * gh);                                // official order (x·gw)·gh
        return result.MoveToOuterDisposeScope();
    }
}
