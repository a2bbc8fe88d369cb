// Reproduces DRUNet, the denoiser prior of DPIR (Zhang, Li, Zuo, Zhang, Van Gool, Timofte, IEEE TPAMI 2022,
// "Plug-and-Play Image Restoration with Deep Denoiser Prior", §3.1, Fig. 1): a four-scale U-Net whose every level is
// four residual blocks, strided 2×2 convolutions down, 2×2 transposed convolutions up, additive skips, no bias, no
// normalisation, and a noise-level map as an extra input channel. Compared as a learned baseline in the KPNet paper,
// Tab. 1 ("DPIR, 32.64M"): a feed-forward SDR→HDR mapping by the colour DRUNet (3 + 1 input channels).
using HdrUp.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models;

/// <summary>
/// DRUNet: x₁ = head([x, σ]); x₂ = down1(x₁); x₃ = down2(x₂); x₄ = down3(x₃); b = body(x₄);
/// O = tail(up1(up2(up3(b + x₄) + x₃) + x₂) + x₁). head and tail are 3×3 convolutions (4→nc₁, nc₁→3); down_k is
/// nb residual blocks at nc_k then a 2×2 stride-2 convolution nc_k→nc_{k+1}; up_k a 2×2 stride-2 transposed
/// convolution nc_{k+1}→nc_k then nb residual blocks; body nb residual blocks at nc₄. Residual block: x + Conv(ReLU(Conv(x))),
/// 3×3. Widths nc = (nf, 2nf, 4nf, 8nf) = (64, 128, 256, 512), nb = 4, every convolution without bias.
/// </summary>
/// <remarks>
/// <para><b>Noise-level map.</b> DRUNet takes the noise level σ as a uniform fourth input channel (the map M in DPIR §3.1),
/// which lets one network cover a range of noise levels. As an SDR→HDR baseline it is trained end to end with a fixed
/// map; <see cref="NoiseLevel"/> (default 15/255, the colour-denoising level DPIR's demonstrations use) is that
/// constant. Since no convolution has a bias, the map is also the network's only source of an offset, so it must not be 0.</para>
/// <para><b>Parameters</b> at nf = 64, nb = 4: <b>32,640,960</b> (paper Tab. 1: 32.64M) = m_head 3×3 4→64 (2,304)
/// + m_down1 4 blocks × 2 × 3×3 64→64 (294,912) + 2×2 64→128 (32,768) + m_down2 4 × 2 × 3×3 128→128 (1,179,648)
/// + 2×2 128→256 (131,072) + m_down3 4 × 2 × 3×3 256→256 (4,718,592) + 2×2 256→512 (524,288) + m_body 4 × 2 × 3×3
/// 512→512 (18,874,368) + m_up3 (524,288 + 4,718,592) + m_up2 (131,072 + 1,179,648) + m_up1 (32,768 + 294,912)
/// + m_tail 3×3 64→3 (1,728).</para>
/// <para>H and W must be multiples of 8 (three stride-2 levels). State-dict keys (the released names, 64 entries):
/// <c>m_head.weight</c>, <c>m_down{1,2,3}.{0..3}.res.{0,2}.weight</c>, <c>m_down{k}.4.weight</c>,
/// <c>m_body.{0..3}.res.{0,2}.weight</c>, <c>m_up{k}.0.weight</c>, <c>m_up{k}.{1..4}.res.{0,2}.weight</c>, <c>m_tail.weight</c>.</para>
/// </remarks>
public sealed class DRUNet : HdrNetwork
{
    /// <summary>The default noise level of the map, 15/255.</summary>
    public const double DefaultNoiseLevel = 15.0 / 255.0;

    // Declaration order = state-dict key order.
    private readonly nn.Module<Tensor, Tensor> m_head;
    private readonly nn.Module<Tensor, Tensor> m_down1;
    private readonly nn.Module<Tensor, Tensor> m_down2;
    private readonly nn.Module<Tensor, Tensor> m_down3;
    private readonly nn.Module<Tensor, Tensor> m_body;
    private readonly nn.Module<Tensor, Tensor> m_up3;
    private readonly nn.Module<Tensor, Tensor> m_up2;
    private readonly nn.Module<Tensor, Tensor> m_up1;
    private readonly nn.Module<Tensor, Tensor> m_tail;
    private readonly int nf;

    /// <summary>Builds DRUNet.</summary>
    /// <param name="nf">Channels of the first level nc₁; the others are 2nf, 4nf, 8nf (default 64).</param>
    /// <param name="blocks">Residual blocks per level nb (default 4).</param>
    /// <param name="noiseLevel">Value of the constant noise-level map (default 15/255).</param>
    public DRUNet(int nf = 64, int blocks = 4, double noiseLevel = DefaultNoiseLevel) : base(nameof(DRUNet))
    {
        if (nf < 1) throw new ArgumentOutOfRangeException(nameof(nf), nf, "nf must be positive.");
        if (blocks < 0) throw new ArgumentOutOfRangeException(nameof(blocks), blocks, "nb cannot be negative.");
        if (!double.IsFinite(noiseLevel)) throw new ArgumentOutOfRangeException(nameof(noiseLevel), noiseLevel, "The noise level must be finite.");
        this.nf = nf;
        NoiseLevel = noiseLevel;
        long[] nc = [nf, 2L * nf, 4L * nf, 8L * nf];
        m_head = Layers.Conv(4, nc[0], 3, bias: false);
        m_down1 = Down(nc[0], nc[1], blocks);
        m_down2 = Down(nc[1], nc[2], blocks);
        m_down3 = Down(nc[2], nc[3], blocks);
        m_body = nn.Sequential(Blocks(nc[3], blocks, 0));
        m_up3 = Up(nc[3], nc[2], blocks);
        m_up2 = Up(nc[2], nc[1], blocks);
        m_up1 = Up(nc[1], nc[0], blocks);
        m_tail = Layers.Conv(nc[0], 3, 3, bias: false);
        RegisterComponents();
    }

    /// <summary>σ of the uniform noise-level map (the fourth input channel).</summary>
    public double NoiseLevel { get; }

    /// <inheritdoc/>
    /// <remarks>8: three stride-2 levels.</remarks>
    public override int SizeMultiple => 8;

    /// <inheritdoc/>
    public override int Width => nf;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var map = torch.full(new long[] { input.shape[0], 1, input.shape[2], input.shape[3] }, NoiseLevel, dtype: input.dtype, device: input.device);
        var x1 = m_head.call(torch.cat(new[] { input, map }, 1));
        var x2 = m_down1.call(x1);
        var x3 = m_down2.call(x2);
        var x4 = m_down3.call(x3);
        var x = m_body.call(x4);
        x = x.Consume(t => m_up3.call(t + x4));
        x = x.Consume(t => m_up2.call(t + x3));
        x = x.Consume(t => m_up1.call(t + x2));
        var result = x.Consume(t => m_tail.call(t + x1));
        return result.MoveToOuterDisposeScope();
    }

    private static (string, nn.Module<Tensor, Tensor>)[] Blocks(long channels, int count, int firstIndex) =>
        Enumerable.Range(0, count).Select(i => ($"{firstIndex + i}", (nn.Module<Tensor, Tensor>)new ResBlock(channels))).ToArray();

    // nb residual blocks, then the 2×2 stride-2 convolution (index nb).
    private static nn.Module<Tensor, Tensor> Down(long from, long to, int blocks) =>
        nn.Sequential(Blocks(from, blocks, 0).Append(($"{blocks}", nn.Conv2d(from, to, 2, stride: 2, bias: false))).ToArray());

    // The 2×2 stride-2 transposed convolution (index 0), then nb residual blocks.
    private static nn.Module<Tensor, Tensor> Up(long from, long to, int blocks) =>
        nn.Sequential(new[] { ("0", (nn.Module<Tensor, Tensor>)nn.ConvTranspose2d(from, to, 2, stride: 2, bias: false)) }
            .Concat(Blocks(to, blocks, 1)).ToArray());

    /// <summary>x + Conv(ReLU(Conv(x))), 3×3 without bias, under the child name <c>res</c> (keys <c>res.0</c>, <c>res.2</c>).</summary>
    private sealed class ResBlock : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> res;

        public ResBlock(long channels) : base(nameof(ResBlock))
        {
            res = nn.Sequential(("0", Layers.Conv(channels, channels, 3, bias: false)), ("1", nn.ReLU()),
                ("2", Layers.Conv(channels, channels, 3, bias: false)));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var result = res.call(x).Consume(r => x + r);
            return result.MoveToOuterDisposeScope();
        }
    }
}
