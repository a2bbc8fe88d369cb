// Reproduces the Pixel2Pixel (pix2pix) generator compared in the KPNet paper, Tab. 1 ("Pixel2Pixel, 11.38M"):
// pix2pix (Isola, Zhu, Zhou, Efros, CVPR 2017, "Image-to-Image Translation with Conditional Adversarial Networks")
// trains a generator against a conditional PatchGAN discriminator (PatchGanDiscriminator.cs) with L1 + cGAN losses.
// The paper's own generator is the U-Net of §3.2.1 (Pixel2PixelUNet.cs, 54.4M parameters at 256×256); no U-Net of
// the pix2pix family has 11.38M parameters, whereas the ResNet generator of the same framework — 9 residual blocks,
// described in CycleGAN (Zhu et al., ICCV 2017, appendix 7.2: c7s1-64, d128, d256, R256 × 9, u128, u64, c7s1-3) after
// Johnson et al. (ECCV 2016) — has 11,383,427 with pix2pix's batch norm (11,378,179 with CycleGAN's instance norm):
// that is the network the paper's 11.38M counts, and the one this file builds.
using HdrUp.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models;

/// <summary>
/// The pix2pix ResNet generator ("resnet_9blocks"): reflection pad 3, Conv 7×7 3→ngf, BN, ReLU; two stride-2 Conv 3×3
/// (ngf→2ngf→4ngf) with BN, ReLU; 9 residual blocks at 4ngf, each x + BN(Conv(pad(Dropout(ReLU(BN(Conv(pad(x)))))))) with
/// reflection padding 1; two stride-2 transposed Conv 3×3 (4ngf→2ngf→ngf, output padding 1) with BN, ReLU; reflection pad 3,
/// Conv 7×7 ngf→3, tanh. Convolutions followed by BN have no bias.
/// </summary>
/// <remarks>
/// <para><b>Value range.</b> pix2pix works on images in [−1, 1] (tanh output); here the input is mapped 2x − 1 and the
/// output (tanh + 1)/2, so HdrUp's [0, 1] code values go in and come out.</para>
/// <para><b>Normalisation and dropout as pix2pix runs them.</b> pix2pix applies batch normalisation with the statistics of
/// the batch at hand also at test time (its §3.3; with batch 1 this is instance normalisation), so the BN layers here
/// keep no running statistics (<c>track_running_stats = false</c>: batch statistics in train and eval mode, no buffers).
/// pix2pix also keeps dropout (0.5, in every residual block, its default) active at test time as its noise source; here
/// dropout follows the module's mode (on in training, off in eval), so evaluation is deterministic.</para>
/// <para><b>Parameters</b> at ngf = 64: <b>11,383,427</b> (paper Tab. 1: 11.38M, +0.03 %) = stem 7×7 3→64 (9,408) + BN (128)
/// + down 3×3 64→128 (73,728 + 256) + 3×3 128→256 (294,912 + 512) + 9 blocks × 2 × (3×3 256→256, 589,824 + BN 512)
/// (10,626,048) + up 3×3 256→128 (294,912 + 256) + 128→64 (73,728 + 128) + head 7×7 64→3 + bias (9,411). The generator only:
/// the PatchGAN discriminator it is trained against (2,768,705) exists only in training.</para>
/// <para>H and W must be multiples of 4 (two stride-2 levels) and at least 8 (reflection padding on the quarter-size map).
/// State-dict keys: <c>model.{1,2,4,5,7,8}.*</c>, <c>model.{10…18}.conv_block.{1,2,6,7}.*</c>, <c>model.{19,20,22,23,26}.*</c>,
/// the indices of the released pix2pix <c>ResnetGenerator</c> (its BN running statistics excepted).</para>
/// </remarks>
public sealed class Pixel2Pixel : HdrNetwork
{
    /// <summary>Residual blocks of the generator (9: "resnet_9blocks").</summary>
    public const int ResidualBlocks = 9;

    private readonly nn.Module<Tensor, Tensor> model;
    private readonly int ngf;

    /// <summary>Builds the generator.</summary>
    /// <param name="ngf">Channels of the first layer (default 64); the residual blocks run at 4·ngf.</param>
    /// <param name="blocks">Residual blocks (default 9).</param>
    /// <param name="dropout">Dropout 0.5 inside each residual block in training (pix2pix default: on).</param>
    public Pixel2Pixel(int ngf = 64, int blocks = ResidualBlocks, bool dropout = true) : base(nameof(Pixel2Pixel))
    {
        if (ngf < 1) throw new ArgumentOutOfRangeException(nameof(ngf), ngf, "ngf must be positive.");
        if (blocks < 0) throw new ArgumentOutOfRangeException(nameof(blocks), blocks, "blocks cannot be negative.");
        this.ngf = ngf;
        var layers = new List<nn.Module<Tensor, Tensor>>
        {
            nn.ReflectionPad2d(3), nn.Conv2d(3, ngf, 7, bias: false), Norm(ngf), nn.ReLU(),
        };
        for (int i = 0; i < 2; i++)
        {
            long mult = 1L << i;
            layers.AddRange([nn.Conv2d(ngf * mult, ngf * mult * 2, 3, stride: 2, padding: 1, bias: false), Norm(ngf * mult * 2), nn.ReLU()]);
        }
        for (int i = 0; i < blocks; i++) layers.Add(new ResnetBlock(4L * ngf, dropout));
        for (int i = 0; i < 2; i++)
        {
            long mult = 4L >> i;
            layers.AddRange([nn.ConvTranspose2d(ngf * mult, ngf * mult / 2, 3, stride: 2, padding: 1, output_padding: 1, bias: false),
                Norm(ngf * mult / 2), nn.ReLU()]);
        }
        layers.AddRange([nn.ReflectionPad2d(3), nn.Conv2d(ngf, 3, 7), nn.Tanh()]);
        model = nn.Sequential(layers.Select((m, i) => ($"{i}", m)).ToArray());
        RegisterComponents();
    }

    /// <inheritdoc/>
    /// <remarks>4: two stride-2 levels (inputs at least 8 × 8).</remarks>
    public override int SizeMultiple => 4;

    /// <inheritdoc/>
    public override int Width => ngf;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var result = (model.call(input * 2.0 - 1.0) + 1.0) * 0.5;                          // [0, 1] ↔ [−1, 1] (tanh)
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>pix2pix's batch normalisation: affine, always the statistics of the current batch (no running statistics).</summary>
    internal static nn.Module<Tensor, Tensor> Norm(long channels) => nn.BatchNorm2d(channels, track_running_stats: false);

    /// <summary>x + conv_block(x), conv_block = [pad, Conv 3×3, BN, ReLU, (Dropout 0.5), pad, Conv 3×3, BN], key <c>conv_block</c>.</summary>
    private sealed class ResnetBlock : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> conv_block;

        public ResnetBlock(long channels, bool dropout) : base(nameof(ResnetBlock))
        {
            var layers = new List<nn.Module<Tensor, Tensor>>
            {
                nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3, bias: false), Norm(channels), nn.ReLU(),
            };
            if (dropout) layers.Add(nn.Dropout(0.5));
            layers.AddRange([nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3, bias: false), Norm(channels)]);
            conv_block = nn.Sequential(layers.Select((m, i) => ($"{i}", m)).ToArray());
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var result = conv_block.call(x).Consume(r => x + r);
            return result.MoveToOuterDisposeScope();
        }
    }
}
