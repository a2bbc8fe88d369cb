// Reproduces the conditional PatchGAN discriminator of pix2pix (Isola et al., CVPR 2017, §3.2.2 and appendix 6.1.2,
// the 70 × 70 discriminator C64-C128-C256-C512): it classifies every overlapping 70 × 70 patch of the pair (input,
// output) as real or fake. Used only to train Pixel2Pixel / Pixel2PixelUNet; never part of a shipped network.
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models;

/// <summary>
/// D(x, y) = logits map of [Conv 4×4 s2 6→ndf, LeakyReLU 0.2] → n − 1 × [Conv 4×4 s2, BN, LeakyReLU] → [Conv 4×4 s1, BN,
/// LeakyReLU] → Conv 4×4 s1 →1, padding 1 everywhere, channels ndf·min(2ᵏ, 8). The pair is concatenated on channels (the
/// conditional GAN sees the SDR input beside the HDR frame); both are mapped [0, 1] → [−1, 1] first, as pix2pix feeds it.
/// Convolutions followed by BN have no bias; BN uses batch statistics (<see cref="Pixel2Pixel.Norm"/>). No sigmoid: the
/// losses take logits.
/// </summary>
/// <remarks>
/// Parameters at ndf = 64, n = 3 (70 × 70 receptive field): <b>2,768,705</b> = 4×4 6→64 + bias (6,208) + 4×4 64→128
/// (131,072 + BN 256) + 4×4 128→256 (524,288 + 512) + 4×4 256→512 (2,097,152 + 1,024) + 4×4 512→1 + bias (8,193).
/// Keys <c>model.{0,2,3,5,6,8,9,11}.*</c>, the indices of the released <c>NLayerDiscriminator</c>. The logits map of an
/// H × W pair is (H/8 − 2) × (W/8 − 2) at n = 3, so inputs need at least 24 × 24.
/// </remarks>
public sealed class PatchGanDiscriminator : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> model;

    /// <summary>Builds the discriminator.</summary>
    /// <param name="ndf">Channels of the first layer (default 64).</param>
    /// <param name="layers">Stride-2 layers n (default 3, the 70 × 70 PatchGAN).</param>
    /// <param name="inputChannels">Channels of the input and of the output image (3 each, concatenated to 6).</param>
    public PatchGanDiscriminator(int ndf = 64, int layers = 3, int inputChannels = 3) : base(nameof(PatchGanDiscriminator))
    {
        if (ndf < 1) throw new ArgumentOutOfRangeException(nameof(ndf), ndf, "ndf must be positive.");
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, "The PatchGAN needs at least one stride-2 layer.");
        var seq = new List<nn.Module<Tensor, Tensor>> { nn.Conv2d(2L * inputChannels, ndf, 4, stride: 2, padding: 1), nn.LeakyReLU(0.2) };
        long mult = 1;
        for (int k = 1; k <= layers; k++)
        {
            long previous = mult;
            mult = Math.Min(1L << k, 8);
            long stride = k < layers ? 2 : 1;
            seq.AddRange([nn.Conv2d(ndf * previous, ndf * mult, 4, stride: stride, padding: 1, bias: false), Pixel2Pixel.Norm(ndf * mult), nn.LeakyReLU(0.2)]);
        }
        seq.Add(nn.Conv2d(ndf * mult, 1, 4, stride: 1, padding: 1));
        model = nn.Sequential(seq.Select((m, i) => ($"{i}", m)).ToArray());
        RegisterComponents();
    }

    /// <summary>Logits (N × 1 × h × w, one per patch) that (<paramref name="input"/>, <paramref name="output"/>) is a real pair.</summary>
    /// <param name="input">The SDR input, N × 3 × H × W in [0, 1].</param>
    /// <param name="output">An HDR frame (ground truth or generated), N × 3 × H × W in [0, 1].</param>
    public override Tensor forward(Tensor input, Tensor output)
    {
        using var scope = NewDisposeScope();
        var pair = torch.cat(new[] { input, output }, 1) * 2.0 - 1.0;
        var result = model.call(pair);
        return result.MoveToOuterDisposeScope();
    }
}
