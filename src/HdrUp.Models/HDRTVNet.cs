// Reproduces HDRTVNet (Chen, Zhang, Ren, Tian, Qiao, Dong, ICCV 2021, "A New Journey from SDRTV to HDRTV", §4,
// Fig. 4) without its third step: adaptive global colour mapping (AGCM, §4.1) followed by local enhancement (LE,
// §4.2). The highlight generation step (HG, a GAN-trained 37M-parameter network for over-exposed regions) is left
// out, as in the KPNet paper, Tab. 1 ("HDRTV, 1.41M" = AGCM + LE). Layer sizes checked against the released
// configuration (ConditionNet with the colour condition, cond_c 6; SRResNet-style LE, nf 64, nb 16).
using HdrUp.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models;

/// <summary>
/// HDRTVNet (AGCM + LE): O = LE(AGCM(x)). AGCM is <see cref="CSRNet"/> with HDRTVNet's colour condition network
/// (<see cref="CSRNetCondition.HdrtvColour"/>, condition vector of 6): a per-pixel 1×1 network modulated per channel by
/// global statistics, which does the global colour and tone mapping. LE is a residual network on half resolution:
/// ReLU(Conv(3, stride 2, 3→nf)), nb residual blocks (x + Conv(ReLU(Conv(x))), no BN), ReLU(PS2(Conv(3, nf→4nf))),
/// ReLU(Conv(3, nf→nf)), Conv(3, nf→3); no global skip. Both parts train jointly here (HDRTVNet trains them one after
/// the other with L1, the LE on the AGCM's outputs; the loss is the same).
/// </summary>
/// <remarks>
/// <para><b>Parameters</b> at nf = 64, nb = 16: AGCM <b>35,251</b> (see <see cref="CSRNet"/>) + LE <b>1,369,859</b> =
/// conv_first 3×3 3→64 (1,792) + 16 × residual block 2 × (3×3 64→64 + bias, 36,928) (1,181,696) + upconv 3×3 64→256
/// (147,712) + HRconv 3×3 64→64 (36,928) + conv_last 3×3 64→3 (1,731) = <b>1,405,110</b>; paper Tab. 1: 1.41M.</para>
/// <para>H and W must be even (<see cref="SizeMultiple"/> 2: the stride-2 first convolution of LE and its ×2 pixel
/// shuffle). The AGCM's condition is computed from the whole input, so tiled inference is an approximation.</para>
/// <para>State-dict keys: <c>agcm.*</c> (the CSRNet keys, 38 entries) and <c>le.conv_first.*</c>,
/// <c>le.recon_trunk.{i}.conv{1,2}.*</c> (i = 0…15), <c>le.upconv.*</c>, <c>le.HRconv.*</c>, <c>le.conv_last.*</c>
/// (the released LE's names, 72 entries).</para>
/// </remarks>
public sealed class HDRTVNet : HdrNetwork
{
    /// <summary>Length of the AGCM condition vector in HDRTVNet (cond_c).</summary>
    public const int ConditionChannels = 6;

    // Declaration order = state-dict key order.
    private readonly CSRNet agcm;
    private readonly LocalEnhancement le;
    private readonly int nf;

    /// <summary>Builds HDRTVNet (AGCM + LE).</summary>
    /// <param name="nf">Channels of the AGCM base network and of the LE (default 64).</param>
    /// <param name="blocks">Residual blocks of the LE (default 16).</param>
    public HDRTVNet(int nf = 64, int blocks = 16) : base(nameof(HDRTVNet))
    {
        if (nf < 1) throw new ArgumentOutOfRangeException(nameof(nf), nf, "nf must be positive.");
        if (blocks < 0) throw new ArgumentOutOfRangeException(nameof(blocks), blocks, "The LE cannot have a negative number of blocks.");
        this.nf = nf;
        agcm = new CSRNet(baseNf: nf, condNf: ConditionChannels, condition: CSRNetCondition.HdrtvColour);
        le = new LocalEnhancement(nf, blocks);
        RegisterComponents();
    }

    /// <summary>The adaptive global colour mapping stage (parameters shared with this module).</summary>
    public CSRNet GlobalColourMapping => agcm;

    /// <inheritdoc/>
    /// <remarks>2: the LE works at half resolution.</remarks>
    public override int SizeMultiple => 2;

    /// <inheritdoc/>
    public override int Width => nf;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var result = agcm.call(input).Consume(le.call);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>HDRTVNet's local enhancement network (<c>le</c>), the released "modified SRResNet for ITM".</summary>
    private sealed class LocalEnhancement : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> conv_first;
        private readonly nn.Module<Tensor, Tensor> recon_trunk;
        private readonly nn.Module<Tensor, Tensor> upconv;
        private readonly nn.Module<Tensor, Tensor> HRconv;
        private readonly nn.Module<Tensor, Tensor> conv_last;

        public LocalEnhancement(long nf, int blocks) : base("le")
        {
            conv_first = Layers.Conv(3, nf, 3, stride: 2);
            recon_trunk = nn.Sequential(Enumerable.Range(0, blocks)
                .Select(i => ($"{i}", (nn.Module<Tensor, Tensor>)new ResidualBlockNoBN(nf))).ToArray());
            upconv = Layers.Conv(nf, 4 * nf, 3);
            HRconv = Layers.Conv(nf, nf, 3);
            conv_last = Layers.Conv(nf, 3, 3);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var f = conv_first.call(x).relu_().Consume(recon_trunk.call).Consume(upconv.call);
            var result = f.Consume(t => nn.functional.pixel_shuffle(t, 2)).relu_()
                .Consume(HRconv.call).relu_().Consume(conv_last.call);
            return result.MoveToOuterDisposeScope();
        }
    }

    /// <summary>x + Conv(ReLU(Conv(x))), both 3×3 nf→nf with bias, no normalisation and no activation after the add.</summary>
    private sealed class ResidualBlockNoBN : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> conv1;
        private readonly nn.Module<Tensor, Tensor> conv2;

        public ResidualBlockNoBN(long nf) : base(nameof(ResidualBlockNoBN))
        {
            conv1 = Layers.Conv(nf, nf, 3);
            conv2 = Layers.Conv(nf, nf, 3);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var result = conv1.call(x).relu_().Consume(conv2.call).Consume(r => x + r);
            return result.MoveToOuterDisposeScope();
        }
    }
}
