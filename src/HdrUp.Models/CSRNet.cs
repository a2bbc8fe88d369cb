// Reproduces CSRNet (He, Liu, Qiao, Dong, ECCV 2020, "Conditional Sequential Modulation for Efficient
// Global Image Retouching", §3.2–3.3 and Fig. 3): a per-pixel base network of 1×1 convolutions whose
// features are modulated by Global Feature Modulation (GFM) driven by a condition vector computed from the
// whole image. The same network is the AGCM (adaptive global colour mapping) stage of HDRTVNet (Chen et al.,
// ICCV 2021). Compared as a learned baseline in the KPNet paper, Tab. 1 ("CSRNet, 36K").
using HdrUp.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HdrUp.Models;

/// <summary>The condition network that computes CSRNet's condition vector (<see cref="CSRNet"/>).</summary>
public enum CSRNetCondition
{
    /// <summary>
    /// CSRNet's own (ECCV 2020, Fig. 3): 7×7 then two 3×3 convolutions, all stride 2, padding 1, ReLU, global average
    /// pooling; cond_nf = 32 by default. Keys <c>cond_net.conv{1,2,3}.*</c>.
    /// </summary>
    Csrnet,

    /// <summary>
    /// HDRTVNet's AGCM (Chen et al., ICCV 2021, §4.1): a colour condition network that sees only colour statistics:
    /// four blocks [1×1 conv → 3×3 average pooling, stride 2, padding 1 → LeakyReLU 0.2 → InstanceNorm (affine)] with
    /// 3→16→32→64→128 channels, a fifth block 128→128 without the norm, dropout 0.5, a 1×1 conv to cond_nf channels
    /// (6 in HDRTVNet) and global average pooling. Keys <c>cond_net.model.{0,3,4,7,8,11,12,15,16,20}.*</c> (the released
    /// Sequential's indices). HDRTVNet feeds this network a 4× bicubic-reduced copy of the whole frame (in training
    /// too, while the base network sees a crop); HdrUp's trainer hands a network only its crop, and a 64-pixel crop
    /// reduced 4× would leave the fourth InstanceNorm a 1×1 map (constant output, so a constant condition), so here the
    /// condition network sees the input itself. Its statistics are meaningful from 17×17 up (smaller inputs run, with
    /// the fourth block's output reduced to its shift).
    /// </summary>
    HdrtvColour,
}

/// <summary>
/// CSRNet: O = conv3'(ReLU(conv2'(ReLU(conv1'(x))))), where convk' = GFM_k(convk(·)) and
/// GFM_k(f) = f ⊙ γ_k + β_k + f with γ_k = cond_scale_k(c), β_k = cond_shift_k(c) (fully connected layers on the
/// condition vector c, one scale and one shift per channel). The base convolutions are 1×1 (3 → base_nf → base_nf → 3),
/// so every pixel is mapped independently; c = GAP(ReLU(conv3(ReLU(conv2(ReLU(conv1(x))))))) comes from the condition
/// network (7×7 then two 3×3 convolutions, all stride 2, padding 1, cond_nf channels, ReLU) and is the only
/// place where image context enters. No clamp, no global skip.
/// </summary>
/// <remarks>
/// <para>Parameter count at base_nf = 64, cond_nf = 32: <b>36,489</b> (paper Tab. 1: "36K"; CSRNet paper: "less than 37K"):</para>
/// <list type="bullet">
/// <item>condition network 23,232 = conv1 7×7 3→32 (4,704 + 32) + conv2 3×3 32→32 (9,216 + 32) + conv3 the same (9,248);</item>
/// <item>GFM fully connected layers 8,646 = cond_scale1, cond_shift1, cond_scale2, cond_shift2: 4 × (32·64 + 64 = 2,112)
///   + cond_scale3, cond_shift3: 2 × (32·3 + 3 = 99);</item>
/// <item>base network 4,611 = conv1 1×1 3→64 (192 + 64) + conv2 64→64 (4,096 + 64) + conv3 64→3 (192 + 3).</item>
/// </list>
/// <para>GFM is written here as the released model computes it, f·γ + β + f (i.e. the paper's γ ⊙ f + β with γ
/// parameterised around 1, so zero fully-connected outputs give the identity); the function class is the same.
/// The condition network pads every convolution by 1 (also the 7×7, which therefore shrinks the map): any input of
/// at least 5×5 works, so <see cref="SizeMultiple"/> is 1. Because c averages the whole frame, tiled inference
/// is an approximation (as for KPNet's coordinate attention).</para>
/// <para>State-dict keys (24 entries): <c>cond_net.conv{1,2,3}.*</c>, <c>cond_scale{1,2,3}.*</c>,
/// <c>cond_shift{1,2,3}.*</c>, <c>conv{1,2,3}.*</c>, the layer names of the released CSRNet.</para>
/// <para><b>As HDRTVNet's AGCM</b> (<see cref="CSRNetCondition.HdrtvColour"/>, cond_nf = 6): the base network and GFM are
/// the same, the condition network is HDRTVNet's colour condition network, 28,806 parameters = 1×1 convs 3→16 (64),
/// 16→32 (544), 32→64 (2,112), 64→128 (8,320), 128→128 (16,512), 128→6 (774) + InstanceNorm γ, β 2·(16 + 32 + 64 + 128)
/// = 480; GFM 4 × FC 6→64 (448) + 2 × FC 6→3 (21) = 1,834; base 4,611; total <b>35,251</b> (HDRTVNet: "35K").</para>
/// </remarks>
public sealed class CSRNet : HdrNetwork
{
    // Declaration order = state-dict key order.
    private readonly nn.Module<Tensor, Tensor> cond_net;
    private readonly Linear cond_scale1;
    private readonly Linear cond_scale2;
    private readonly Linear cond_scale3;
    private readonly Linear cond_shift1;
    private readonly Linear cond_shift2;
    private readonly Linear cond_shift3;
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> conv2;
    private readonly nn.Module<Tensor, Tensor> conv3;
    private readonly int baseNf;

    /// <summary>Builds CSRNet.</summary>
    /// <param name="baseNf">Channels of the 1×1 base network (default 64).</param>
    /// <param name="condNf">Length of the condition vector (default 32; HDRTVNet's AGCM uses 6).</param>
    /// <param name="condition">Which condition network (default CSRNet's own; <see cref="CSRNetCondition.HdrtvColour"/> for HDRTVNet's AGCM).</param>
    public CSRNet(int baseNf = 64, int condNf = 32, CSRNetCondition condition = CSRNetCondition.Csrnet) : base(nameof(CSRNet))
    {
        if (baseNf < 1) throw new ArgumentOutOfRangeException(nameof(baseNf), baseNf, "base_nf must be positive.");
        if (condNf < 1) throw new ArgumentOutOfRangeException(nameof(condNf), condNf, "cond_nf must be positive.");
        this.baseNf = baseNf;
        Condition = condition;
        cond_net = condition switch
        {
            CSRNetCondition.Csrnet => new ConditionNet(3, condNf),
            CSRNetCondition.HdrtvColour => new ColourConditionNet(condNf),
            _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, "Unknown condition network."),
        };
        cond_scale1 = nn.Linear(condNf, baseNf);
        cond_scale2 = nn.Linear(condNf, baseNf);
        cond_scale3 = nn.Linear(condNf, 3);
        cond_shift1 = nn.Linear(condNf, baseNf);
        cond_shift2 = nn.Linear(condNf, baseNf);
        cond_shift3 = nn.Linear(condNf, 3);
        conv1 = nn.Conv2d(3, baseNf, 1);
        conv2 = nn.Conv2d(baseNf, baseNf, 1);
        conv3 = nn.Conv2d(baseNf, 3, 1);
        RegisterComponents();
    }

    /// <inheritdoc/>
    /// <remarks>1: the base network is per pixel and the condition network ends in global average pooling
    /// (inputs need only be at least <see cref="MinimumSize"/> on each side).</remarks>
    public override int SizeMultiple => 1;

    /// <summary>Smallest H and W CSRNet's own condition network accepts (7×7 kernel, padding 1).</summary>
    public const int MinimumSize = 5;

    /// <summary>Smallest H and W HDRTVNet's colour condition network accepts (any: it pools with padding).</summary>
    public const int MinimumSizeHdrtvColour = 1;

    /// <summary>The condition network in use.</summary>
    public CSRNetCondition Condition { get; }

    /// <inheritdoc/>
    public override int Width => baseNf;

    public override Tensor forward(Tensor input)
    {
        int minimum = Condition == CSRNetCondition.Csrnet ? MinimumSize : MinimumSizeHdrtvColour;
        if (input.shape[2] < minimum || input.shape[3] < minimum)
            throw new ArgumentException($"CSRNet needs H, W ≥ {minimum}; got {input.shape[2]}×{input.shape[3]}.", nameof(input));
        using var scope = NewDisposeScope();
        var c = cond_net.call(input);                                                          // N × cond_nf
        var f = Gfm(conv1.call(input), cond_scale1, cond_shift1, c).relu_();
        f = Gfm(f.Consume(conv2.call), cond_scale2, cond_shift2, c).relu_();
        var result = Gfm(f.Consume(conv3.call), cond_scale3, cond_shift3, c);                  // no activation
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>GFM: f·γ + β + f with per-sample, per-channel γ = scale(c), β = shift(c); disposes <paramref name="f"/>.</summary>
    private static Tensor Gfm(Tensor f, Linear scale, Linear shift, Tensor c)
    {
        using var scope = NewDisposeScope();
        long n = f.shape[0], ch = f.shape[1];
        var gamma = scale.call(c).view(n, ch, 1, 1);
        var beta = shift.call(c).view(n, ch, 1, 1);
        var result = f.mul(gamma).add_(beta).add_(f);
        f.Dispose();
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The condition network (<c>cond_net</c>): three stride-2 convolutions with ReLU, then global average pooling.</summary>
    private sealed class ConditionNet : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> conv1;
        private readonly nn.Module<Tensor, Tensor> conv2;
        private readonly nn.Module<Tensor, Tensor> conv3;

        public ConditionNet(long inChannels, long condNf) : base("cond_net")
        {
            conv1 = nn.Conv2d(inChannels, condNf, 7, stride: 2, padding: 1);
            conv2 = nn.Conv2d(condNf, condNf, 3, stride: 2, padding: 1);
            conv3 = nn.Conv2d(condNf, condNf, 3, stride: 2, padding: 1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var f = conv1.call(x).relu_().Consume(conv2.call).relu_().Consume(conv3.call).relu_();
            var result = f.mean(new long[] { 2, 3 });                                          // N × cond_nf
            return result.MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// HDRTVNet's colour condition network (<see cref="CSRNetCondition.HdrtvColour"/>), the released
    /// Sequential <c>model</c> — 4 × [1×1 conv, AvgPool 3/2/1, LeakyReLU 0.2, InstanceNorm affine], [1×1 conv, AvgPool,
    /// LeakyReLU], Dropout 0.5, 1×1 conv → cond_nf, global average pooling. Only 1×1 convolutions and averages, so the
    /// vector depends on the colour distribution of the frame, not on its spatial detail.
    /// </summary>
    private sealed class ColourConditionNet : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> model;

        public ColourConditionNet(long condNf) : base("cond_net")
        {
            var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
            long[] widths = [3, 16, 32, 64, 128, 128];
            for (int b = 0; b < 5; b++)
            {
                layers.Add(($"{layers.Count}", nn.Conv2d(widths[b], widths[b + 1], 1)));
                layers.Add(($"{layers.Count}", nn.AvgPool2d(3, stride: 2, padding: 1, count_include_pad: true)));
                layers.Add(($"{layers.Count}", nn.LeakyReLU(0.2)));
                if (b < 4) layers.Add(($"{layers.Count}", nn.InstanceNorm2d(widths[b + 1], affine: true)));
            }
            layers.Add(($"{layers.Count}", nn.Dropout(0.5)));
            layers.Add(($"{layers.Count}", nn.Conv2d(128, condNf, 1)));
            model = nn.Sequential(layers);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var result = model.call(x).mean(new long[] { 2, 3 });                              // N × cond_nf
            return result.MoveToOuterDisposeScope();
        }
    }
}
