// Small factories for the layers the spec (kpnet-architecture.md §1) uses everywhere, so that
// every network builds them the same way with the same state-dict layout.
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.Blocks;

/// <summary>Factories for plain convolutions, the learned ×2 upsampler and the KIB modulators.</summary>
public static class Layers
{
    /// <summary>Conv(k, s, in→out, bias) with zero padding k/2 (PyTorch <c>Conv2d</c>).</summary>
    public static nn.Module<Tensor, Tensor> Conv(long inChannels, long outChannels, long kernelSize, long stride = 1, bool bias = true)
        => nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: kernelSize / 2, bias: bias);

    /// <summary>
    /// The learned upsampler UP(·) = PS2(Conv(3, 1, nf→4nf)(·)) (spec §1). A Sequential so that the
    /// conv's keys are <c>&lt;name&gt;.0.weight</c> / <c>&lt;name&gt;.0.bias</c>; no activation inside.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Upsampler(long nf)
        => nn.Sequential(("0", Conv(nf, 4 * nf, 3)), ("1", nn.PixelShuffle(2)));

    /// <summary>
    /// X (<c>alpha</c>) or Y (<c>belta</c>) of the KIB (spec §3.3): two 1×1 convolutions with bias and
    /// nothing in between, keys <c>.0.*</c> and <c>.1.*</c>.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Modulator(long nf)
        => nn.Sequential(("0", Conv(nf, nf, 1)), ("1", Conv(nf, nf, 1)));

    /// <summary>BatchNorm2d(nf), eps 1e-5, momentum 0.1, affine, running statistics (PyTorch defaults; the Tab. 4 ablation).</summary>
    public static nn.Module<Tensor, Tensor> Norm(long nf) => nn.BatchNorm2d(nf, eps: 1e-5, momentum: 0.1);

    /// <summary>Applies <paramref name="f"/> to <paramref name="x"/> and disposes <paramref name="x"/>
    /// (frees native memory early; autograd keeps what it saved). Never pass a forward's own input.</summary>
    internal static Tensor Consume(this Tensor x, Func<Tensor, Tensor> f)
    {
        var y = f(x);
        x.Dispose();
        return y;
    }
}
