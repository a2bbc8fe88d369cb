// Reproduces KUNet's unit chain (`recon_trunk1/2/3`), kpnet-architecture.md §10.
using HdrUp.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.KUNetBlocks;

/// <summary>
/// Tₙ(v) = conv1x1(cat(r₁, …, rₙ)) with r₁ = U(v), r_{k+1} = U(r_k) — the same unit U (<c>rdb</c>)
/// applied n times; merge Conv(1, 1, n·nf→nf), no activation.
/// </summary>
public sealed class UnitChain : nn.Module<Tensor, Tensor>
{
    private readonly ResidualUnit rdb;
    private readonly ConvLayer conv1x1;
    private readonly int repeats;

    /// <param name="nf">Feature width (default 64).</param>
    /// <param name="repeats">n, how many times the unit is applied (4 or 6 in KUNet).</param>
    public UnitChain(long nf, int repeats) : base(nameof(UnitChain))
    {
        this.repeats = repeats;
        rdb = new ResidualUnit(nf);
        conv1x1 = new ConvLayer(repeats * nf, nf, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor v)
    {
        using var scope = NewDisposeScope();
        var outs = new Tensor[repeats];
        var r = v;
        for (int k = 0; k < repeats; k++) outs[k] = r = rdb.call(r);
        var result = torch.cat(outs, 1).Consume(conv1x1.call);
        return result.MoveToOuterDisposeScope();
    }
}
