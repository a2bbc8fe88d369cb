// Reproduces JSInet, the generator of JSI-GAN (Kim, Oh, Kim, AAAI 2020, "JSI-GAN: GAN-Based Joint Super-Resolution
// and Inverse Tone-Mapping with Pixel-Wise Task-Specific Filters for UHD HDR Video", §3.1, Fig. 2): the input is split
// by a guided filter into a base layer and a detail layer; three task-specific subnets — detail restoration (DR),
// local contrast enhancement (LCE) and image reconstruction (IR) — predict pixel-wise dynamic filters and residuals,
// combined as O = (I + D) ⊙ C. Compared in the KPNet paper, Tab. 1 ("JSI-GAN↓, 1.06M"), where the super-resolution
// network is run at the input size (§5.2: "we additionally apply a down-sampling operation ... keeping the input and
// output sizes consistent"). Layer sizes checked against the released JSInet.
using HdrUp.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models;

/// <summary>
/// JSInet with scale factor s (1 in HdrUp): base b = GF(x) (self-guided filter, 5×5 box, ε = 0.01, per channel),
/// detail d = x / (b + 10⁻¹⁵);
/// <list type="bullet">
/// <item>LCE: conv 3→nf, 4 residual blocks, ReLU, conv nf→81·s² = a softmax-normalised 9×9 filter per pixel (and
///   sub-pixel) applied to b; C = 2·sigmoid(result), a local contrast mask in (0, 2);</item>
/// <item>DR: conv 3→nf, 4 residual blocks (the first block's output is also passed to IR), ReLU, two convs nf→41·s² =
///   a vertical and a horizontal 41-tap 1D filter per pixel, applied separably (vertical first) to d, giving D;</item>
/// <item>IR: conv 3→nf on x, a residual block, concatenation with DR's first-block features, a residual block
///   2nf→nf (its skip is the first nf channels), two residual blocks, ReLU, ReLU(conv nf→nf·s²), pixel shuffle ×s,
///   conv nf→3, giving I.</item>
/// </list>
/// All convolutions 3×3 with bias, zero padding; residual block x + Conv(ReLU(Conv(ReLU(x)))) (pre-activation);
/// dynamic filters use zero padding; the same filters apply to all three channels.
/// </summary>
/// <remarks>
/// <para><b>The down-sampled variant (↓).</b> JSI-GAN is published as a ×2 (or ×4) super-resolution network; the KPNet
/// paper keeps input and output sizes equal. Its 1.06M is exactly JSInet at s = 1 — the ×2 network has 1,454,159
/// parameters, so a parameter-free ×2 down-sampling in front of it would still count 1.45M. HdrUp builds s = 1: the
/// dynamic filters and the last pixel shuffle work at the input resolution.</para>
/// <para><b>Parameters</b> at nf = 64, s = 1: <b>1,061,222</b> (paper Tab. 1: 1.06M) =
/// LCE 343,953 = conv 3→64 (1,792) + 4 blocks × 2 × 3×3 64→64 (295,424) + conv_k 64→81 (46,737; s = 2: 64→324, 186,948);
/// DR 344,530 = 1,792 + 295,424 + conv_k_h, conv_k_v 64→41 (2 × 23,657; s = 2: 64→164, 94,628 each);
/// IR 372,739 = conv 3→64 (1,792) + blocks 73,856 + (3×3 128→64 73,792 + 36,928) + 2 × 73,856 + conv_up 64→64
/// (36,928; s = 2: 64→256, 147,712) + conv_last 64→3 (1,731).</para>
/// <para>Any H, W ≥ 3 (the guided filter's reflection padding); <see cref="SizeMultiple"/> 1. The detail layer divides by
/// the base layer as published, so near-black regions can give large detail values. State-dict keys:
/// <c>local_contrast_enhancement.{conv_first,body.{i}.conv{0,1},conv_k}.*</c>,
/// <c>detail_restoration.{conv_first,body.{i}.conv{0,1},conv_k_h,conv_k_v}.*</c>,
/// <c>image_reconstruction.{conv_first,body.{i}.conv{0,1},conv_up,conv_last}.*</c> (the released scopes).</para>
/// </remarks>
public sealed class JSInet : HdrNetwork
{
    /// <summary>Side of the guided filter's box (the release's r = 5 is the box side).</summary>
    public const int GuidedFilterBox = 5;
    /// <summary>Regulariser ε of the guided filter.</summary>
    public const double GuidedFilterEps = 0.01;
    /// <summary>Side of the LCE's 2D dynamic filters.</summary>
    public const int LocalFilterSize = 9;
    /// <summary>Taps of the DR's separable 1D dynamic filters.</summary>
    public const int SeparableFilterTaps = 41;
    /// <summary>Smallest H and W (reflection padding of the guided filter's box).</summary>
    public const int MinimumSize = 3;

    // Declaration order = state-dict key order (the release builds LCE, DR, IR in this order).
    private readonly Subnet local_contrast_enhancement;
    private readonly Subnet detail_restoration;
    private readonly Subnet image_reconstruction;
    private readonly int nf;

    /// <summary>Builds JSInet.</summary>
    /// <param name="nf">Feature channels of every subnet (default 64).</param>
    /// <param name="scale">Scale factor s (default 1, the KPNet paper's ↓ variant; 2 is the published ×2 network,
    /// whose output is 2H × 2W).</param>
    public JSInet(int nf = 64, int scale = 1) : base(nameof(JSInet))
    {
        if (nf < 1) throw new ArgumentOutOfRangeException(nameof(nf), nf, "nf must be positive.");
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale factor must be at least 1.");
        this.nf = nf;
        Scale = scale;
        long s2 = (long)scale * scale;
        local_contrast_enhancement = new Subnet("local_contrast_enhancement", nf, [("conv_k", LocalFilterSize * LocalFilterSize * s2)]);
        detail_restoration = new Subnet("detail_restoration", nf, [("conv_k_h", SeparableFilterTaps * s2), ("conv_k_v", SeparableFilterTaps * s2)]);
        image_reconstruction = new Subnet("image_reconstruction", nf, [("conv_up", nf * s2), ("conv_last", 3)], concatAt: 1);
        RegisterComponents();
    }

    /// <summary>Scale factor s (1: output size = input size).</summary>
    public int Scale { get; }

    /// <inheritdoc/>
    /// <remarks>1: stride-1 convolutions and pixel-wise filters only (inputs at least <see cref="MinimumSize"/>).</remarks>
    public override int SizeMultiple => 1;

    /// <inheritdoc/>
    public override int Width => nf;

    public override Tensor forward(Tensor input)
    {
        if (input.shape[2] < MinimumSize || input.shape[3] < MinimumSize)
            throw new ArgumentException($"JSInet needs H, W ≥ {MinimumSize}; got {input.shape[2]}×{input.shape[3]}.", nameof(input));
        using var scope = NewDisposeScope();
        var b = GuidedFilter(input, GuidedFilterBox, GuidedFilterEps);                       // base layer
        var d = input / (b + 1e-15);                                                           // detail layer

        var lce = local_contrast_enhancement.Features(b, null, keepFirst: false, out _);
        var c = 2.0 * DynamicFilter2D(b, local_contrast_enhancement.Head(0, lce), LocalFilterSize, Scale).sigmoid();   // C in (0, 2)

        var dr = detail_restoration.Features(d, null, keepFirst: true, out var dFeature);
        var detail = DynamicSeparableFilter(d, detail_restoration.Head(1, dr), detail_restoration.Head(0, dr), SeparableFilterTaps, Scale);

        var ir = image_reconstruction.Features(input, dFeature, keepFirst: false, out _);
        var i = image_reconstruction.Head(0, ir).relu_();
        if (Scale > 1) i = i.Consume(t => nn.functional.pixel_shuffle(t, Scale));
        i = i.Consume(t => image_reconstruction.Head(1, t));

        var result = (i + detail) * c;                                                         // (I + D) ⊙ C
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Self-guided filter (He et al.) per channel: a = var/(var + ε), β = mean − a·mean over a box × box window,
    /// q = box(a)·x + box(β); box means with reflection padding (as the release).
    /// </summary>
    public static Tensor GuidedFilter(Tensor x, int box, double eps)
    {
        using var scope = NewDisposeScope();
        var meanI = BoxMean(x, box);
        var meanII = BoxMean(x * x, box);
        var variance = meanII - meanI * meanI;
        var a = variance / (variance + eps);
        var beta = meanI - a * meanI;
        var result = BoxMean(a, box) * x + BoxMean(beta, box);
        return result.MoveToOuterDisposeScope();
    }

    private static Tensor BoxMean(Tensor x, int box)
    {
        using var scope = NewDisposeScope();
        long p = (box - 1) / 2;
        var padded = nn.functional.pad(x, new[] { p, p, p, p }, PaddingModes.Reflect);
        var result = nn.functional.avg_pool2d(padded, box, 1);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Pixel-wise 2D filtering: <paramref name="filters"/> N × (k²·s²) × H × W holds, per pixel and sub-pixel, k×k taps
    /// (tap-major, normalised here by a softmax over the taps) applied to the zero-padded k×k neighbourhood of each
    /// channel of <paramref name="x"/>; the s² results are pixel-shuffled to N × C × sH × sW.
    /// </summary>
    public static Tensor DynamicFilter2D(Tensor x, Tensor filters, int k, int s)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], s2 = (long)s * s;
        var f = filters.view(n, k * k, s2, h, w).softmax(1);
        long p = k / 2;
        var padded = nn.functional.pad(x, new[] { p, p, p, p });
        var acc = torch.zeros(new[] { n, c, s2, h, w }, dtype: x.dtype, device: x.device);
        for (int ty = 0; ty < k; ty++)
            for (int tx = 0; tx < k; tx++)
            {
                using var step = NewDisposeScope();
                var window = padded.narrow(2, ty, h).narrow(3, tx, w).unsqueeze(2);          // N × C × 1 × H × W
                var tap = f.select(1, ty * k + tx).unsqueeze(1);                             // N × 1 × s² × H × W
                acc.add_(window * tap);
            }
        var result = acc.view(n, c * s2, h, w);
        if (s > 1) result = nn.functional.pixel_shuffle(result, s);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Pixel-wise separable filtering: vertical taps <paramref name="vertical"/> then horizontal taps
    /// <paramref name="horizontal"/>, each N × (s²·k) × H × W (sub-pixel-major, no normalisation), zero padding, then
    /// the s² results pixel-shuffled to N × C × sH × sW.
    /// </summary>
    public static Tensor DynamicSeparableFilter(Tensor x, Tensor vertical, Tensor horizontal, int k, int s)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], s2 = (long)s * s, p = k / 2;
        var fv = vertical.view(n, s2, k, h, w);
        var fh = horizontal.view(n, s2, k, h, w);
        var padded = nn.functional.pad(x, new[] { 0L, 0, p, p }).unsqueeze(2);                // N × C × 1 × (H + 2p) × W
        var outV = torch.zeros(new[] { n, c, s2, h, w }, dtype: x.dtype, device: x.device);
        for (int t = 0; t < k; t++)
        {
            using var step = NewDisposeScope();
            outV.add_(padded.narrow(3, t, h) * fv.select(2, t).unsqueeze(1));
        }
        var paddedV = nn.functional.pad(outV.view(n, c * s2, h, w), new[] { p, p, 0L, 0 }).view(n, c, s2, h, w + 2 * p);
        var outH = torch.zeros(new[] { n, c, s2, h, w }, dtype: x.dtype, device: x.device);
        for (int t = 0; t < k; t++)
        {
            using var step = NewDisposeScope();
            outH.add_(paddedV.narrow(4, t, w) * fh.select(2, t).unsqueeze(1));
        }
        var result = outH.view(n, c * s2, h, w);
        if (s > 1) result = nn.functional.pixel_shuffle(result, s);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One subnet: <c>conv_first</c> 3→nf, <c>body</c> = 4 pre-activation residual blocks (block <c>concatAt</c> takes
    /// 2nf channels: the running features concatenated with an extra feature map), then its heads (3×3 convolutions
    /// from nf channels, applied by the parent).
    /// </summary>
    private sealed class Subnet : nn.Module
    {
        private readonly nn.Module<Tensor, Tensor> conv_first;
        private readonly TorchSharp.Modules.ModuleList<PreActResBlock> body;
        private readonly nn.Module<Tensor, Tensor>[] heads;                    // registered by name below, not as a field
        private readonly int concatAt;

        public Subnet(string name, long nf, (string Name, long Channels)[] headShapes, int concatAt = -1) : base(name)
        {
            this.concatAt = concatAt;
            conv_first = Layers.Conv(3, nf, 3);
            body = nn.ModuleList(Enumerable.Range(0, 4).Select(i => new PreActResBlock(i == concatAt ? 2 * nf : nf, nf)).ToArray());
            heads = headShapes.Select(h => Layers.Conv(nf, h.Channels, 3)).ToArray();
            RegisterComponents();
            foreach (var ((headName, _), head) in headShapes.Zip(heads)) register_module(headName, head);   // release names
        }

        /// <summary>conv_first, the residual blocks (<paramref name="extra"/> concatenated before block <c>concatAt</c>),
        /// then ReLU; with <paramref name="keepFirst"/>, <paramref name="firstBlock"/> is the first block's output.</summary>
        public Tensor Features(Tensor x, Tensor? extra, bool keepFirst, out Tensor? firstBlock)
        {
            firstBlock = null;
            var f = conv_first.call(x);
            for (int i = 0; i < body.Count; i++)
            {
                if (i == concatAt) f = Replace(f, torch.cat(new[] { f, extra! }, 1), firstBlock);
                f = Replace(f, body[i].call(f), firstBlock);
                if (i == 0 && keepFirst) firstBlock = f;
            }
            return Replace(f, f.relu(), firstBlock);
        }

        /// <summary>Head <paramref name="index"/> applied to <paramref name="features"/>.</summary>
        public Tensor Head(int index, Tensor features) => heads[index].call(features);

        // Disposes the superseded tensor unless it is the one kept for the caller.
        private static Tensor Replace(Tensor old, Tensor next, Tensor? keep)
        {
            if (!ReferenceEquals(old, keep)) old.Dispose();
            return next;
        }
    }

    /// <summary>x[:, :out] + Conv(ReLU(Conv(ReLU(x)))) with keys <c>conv0</c> (in→out) and <c>conv1</c> (out→out).</summary>
    private sealed class PreActResBlock : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> conv0;
        private readonly nn.Module<Tensor, Tensor> conv1;
        private readonly long outChannels;

        public PreActResBlock(long inChannels, long outChannels) : base(nameof(PreActResBlock))
        {
            this.outChannels = outChannels;
            conv0 = Layers.Conv(inChannels, outChannels, 3);
            conv1 = Layers.Conv(outChannels, outChannels, 3);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var r = conv0.call(x.relu()).relu_().Consume(conv1.call);
            var skip = x.shape[1] == outChannels ? x : x.narrow(1, 0, outChannels);
            var result = r.Consume(t => skip + t);
            return result.MoveToOuterDisposeScope();
        }
    }
}
