// Reproduces the U-Net generator of pix2pix (Isola, Zhu, Zhou, Efros, CVPR 2017, "Image-to-Image Translation with
// Conditional Adversarial Networks", §3.2.1 and appendix 6.1.1): encoder C64-C128-C256-C512-C512-C512-C512-C512,
// decoder CD512-CD512-CD512-C512-C256-C128-C64 with skips between mirrored layers, 4×4 stride-2 convolutions. The
// KPNet paper's "Pixel2Pixel, 11.38M" is not this network (54.4M at 256 × 256); see Pixel2Pixel.cs.
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models;

/// <summary>
/// The pix2pix U-Net with L levels (8 for 256 × 256): level i encodes with Conv 4×4 stride 2, padding 1 (LeakyReLU 0.2
/// before it from level 1 on, BN after it except on the first and the innermost level), channels min(ngf·2ⁱ, 8ngf);
/// the decoder mirrors it with ReLU, transposed Conv 4×4 stride 2 and BN, and from level 1 on concatenates each
/// decoded map with the encoder map of the same size (the skips). Dropout 0.5 follows the BN of the decoder levels
/// 4 … L − 2 (the paper's three "CD512" at L = 8). The outermost decoder ends in tanh.
/// </summary>
/// <remarks>
/// <para>Value range, normalisation and dropout are handled as in <see cref="Pixel2Pixel"/>: [0, 1] ↔ [−1, 1] around the
/// network, BN with batch statistics in train and eval mode (pix2pix's test-time protocol), dropout on in training only.
/// Convolutions followed by BN have no bias; the innermost and the outermost encoder convolutions have none either
/// (pix2pix), the outermost decoder convolution has one.</para>
/// <para><b>Parameters</b> at ngf = 64, L = 8: <b>54,413,955</b>; at ngf = 32, L = 7 (the nearest U-Net to the KPNet
/// paper's 11.38M): 10,461,507 (−8 %).</para>
/// <para>H and W must be multiples of 2^L (256 for L = 8). State-dict keys: <c>down.{i}.*</c> (level i's convolution and
/// BN) and <c>up.{i}.*</c> (its transposed convolution and BN).</para>
/// </remarks>
public sealed class Pixel2PixelUNet : HdrNetwork
{
    /// <summary>Levels of the published 256 × 256 U-Net.</summary>
    public const int PublishedLevels = 8;

    private readonly TorchSharp.Modules.ModuleList<nn.Module<Tensor, Tensor>> down;
    private readonly TorchSharp.Modules.ModuleList<nn.Module<Tensor, Tensor>> up;
    private readonly int ngf;

    /// <summary>Builds the U-Net generator.</summary>
    /// <param name="ngf">Channels of the first level (default 64); level i has min(ngf·2ⁱ, 8ngf).</param>
    /// <param name="levels">Number of stride-2 levels L (default 8, at least 2).</param>
    /// <param name="dropout">Dropout 0.5 in the decoder levels 4 … L − 2 in training (pix2pix default: on).</param>
    public Pixel2PixelUNet(int ngf = 64, int levels = PublishedLevels, bool dropout = true) : base(nameof(Pixel2PixelUNet))
    {
        if (ngf < 1) throw new ArgumentOutOfRangeException(nameof(ngf), ngf, "ngf must be positive.");
        if (levels < 2) throw new ArgumentOutOfRangeException(nameof(levels), levels, "The U-Net needs at least 2 levels.");
        this.ngf = ngf;
        Levels = levels;
        long Channels(int i) => Math.Min((long)ngf << Math.Min(i, 3), 8L * ngf);
        long Input(int i) => i == 0 ? 3 : Channels(i - 1);
        down = nn.ModuleList<nn.Module<Tensor, Tensor>>();
        up = nn.ModuleList<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < levels; i++)
        {
            bool innermost = i == levels - 1, outermost = i == 0;
            var d = new List<nn.Module<Tensor, Tensor>>();
            if (!outermost) d.Add(nn.LeakyReLU(0.2));
            d.Add(nn.Conv2d(Input(i), Channels(i), 4, stride: 2, padding: 1, bias: false));
            if (!outermost && !innermost) d.Add(Pixel2Pixel.Norm(Channels(i)));
            down.Add(nn.Sequential(d.Select((m, k) => ($"{k}", m)).ToArray()));

            var u = new List<nn.Module<Tensor, Tensor>>
            {
                nn.ReLU(),
                nn.ConvTranspose2d(innermost ? Channels(i) : 2 * Channels(i), outermost ? 3 : Input(i), 4, stride: 2, padding: 1, bias: outermost),
            };
            if (outermost) u.Add(nn.Tanh());
            else u.Add(Pixel2Pixel.Norm(Input(i)));
            if (dropout && i >= 4 && i <= levels - 2) u.Add(nn.Dropout(0.5));
            up.Add(nn.Sequential(u.Select((m, k) => ($"{k}", m)).ToArray()));
        }
        RegisterComponents();
    }

    /// <summary>Number of stride-2 levels L.</summary>
    public int Levels { get; }

    /// <inheritdoc/>
    /// <remarks>2^L (256 for the published 8 levels).</remarks>
    public override int SizeMultiple => 1 << Levels;

    /// <inheritdoc/>
    public override int Width => ngf;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var skips = new List<Tensor> { input * 2.0 - 1.0 };                                    // [0, 1] → [−1, 1]
        var t = skips[0];
        for (int i = 0; i < Levels; i++)
        {
            t = down[i].call(t);
            if (i < Levels - 1) skips.Add(t);
        }
        for (int i = Levels - 1; i >= 0; i--)
        {
            var u = up[i].call(t);
            t = i > 0 ? torch.cat(new[] { skips[i], u }, 1) : u;
        }
        var result = (t + 1.0) * 0.5;                                                           // tanh → [0, 1]
        return result.MoveToOuterDisposeScope();
    }
}
