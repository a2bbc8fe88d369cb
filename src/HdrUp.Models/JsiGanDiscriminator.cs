// Reproduces the discriminator of JSI-GAN's adversarial stage (Kim, Oh & Kim, AAAI 2020, §3.3; the layer sizes of the
// authors' released discriminator): used only to train JSI-GAN (two of them: one sees HDR frames, one their detail
// layers); never part of a shipped network.
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models;

/// <summary>
/// A convolution whose weight is divided by its largest singular value σ (spectral normalisation, Miyato et al. 2018),
/// σ estimated by one power iteration per training forward from a persisted vector <c>u</c> (one per output channel), as
/// JSI-GAN's discriminator does. The trained weight is <c>conv.weight</c>; <c>u</c> is a buffer, so it is saved with
/// the training state.
/// </summary>
public sealed class SpectralNormConv2d : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Conv2d conv;
    private readonly Tensor u;
    private readonly long stride, padding;

    public SpectralNormConv2d(long input, long output, long kernel, long stride, long padding, bool bias) : base(nameof(SpectralNormConv2d))
    {
        conv = nn.Conv2d(input, output, kernel, stride: stride, padding: padding, bias: bias);
        (this.stride, this.padding) = (stride, padding);
        // JSI-GAN initialises its kernels from a normal of σ 0.02 truncated at 2σ, biases at 0.
        using (torch.no_grad())
        {
            nn.init.trunc_normal_(conv.weight!, 0, 0.02, -0.04, 0.04);
            if (conv.bias is not null) nn.init.zeros_(conv.bias);
        }
        u = nn.functional.normalize(torch.randn(output), dim: 0);
        RegisterComponents();
    }

    /// <summary>The weight's largest singular value as estimated from the current <c>u</c> (for tests).</summary>
    public double Sigma()
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        return Estimate(update: false).item<float>();
    }

    // σ = uᵀ W v with v = normalise(Wᵀ u) and, in training, u ← normalise(W v) first: one power iteration whose v serves both
    // the update and σ, as the release (and PyTorch's spectral_norm) compute it. u and v carry no gradient.
    private Tensor Estimate(bool update)
    {
        var w = conv.weight!.reshape(conv.weight.shape[0], -1);
        Tensor v, uNow;
        using (torch.no_grad())
        {
            v = nn.functional.normalize(w.t().matmul(u), dim: 0);
            if (update) u.copy_(nn.functional.normalize(w.matmul(v), dim: 0));
            // A copy: the next forward updates u in place, which must not touch what this one's backward kept.
            uNow = u.clone();
        }
        return uNow.dot(w.matmul(v));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var sigma = Estimate(update: training);
        var y = nn.functional.conv2d(x, conv.weight! / sigma, conv.bias, strides: [stride, stride], padding: [padding, padding]);
        return y.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// D(y) = logits of [SN-Conv 3×3 3→32 + bias, LeakyReLU 0.2] → 4 × [SN-Conv 4×4 s2 c→c, BN, LReLU (a feature for the
/// feature-matching loss), SN-Conv 3×3 c→2c, BN, LReLU] (c = 32, 64, 128, 256) → SN-Conv 4×4 s2 512→512, BN, LReLU →
/// SN-Conv 5×5 512→512 unpadded, BN, LReLU → SN-Conv 1×1 512→1, BN. Convolutions before BN have no bias; BN uses batch
/// statistics in training (momentum 0.1, ε 1e-5). No sigmoid: the relativistic hinge losses take logits. Unconditional:
/// it sees an HDR frame (or its detail layer) alone.
/// </summary>
/// <remarks>
/// The input side must be a multiple of 32 and at least 160 (<see cref="MinimumSide"/>): the fifth halving leaves 5 × 5
/// for the unpadded 5 × 5 convolution, which gives one logit; 192 gives 2 × 2. Parameters: <b>13,713,602</b> (convolutions with the stem bias 13,708,672, BatchNorm scales and shifts 4,930); the u vectors are buffers.
/// </remarks>
public sealed class JsiGanDiscriminator : nn.Module<Tensor, (Tensor Logits, Tensor[] Features)>
{
    /// <summary>Smallest input side: one logit.</summary>
    public const int MinimumSide = 160;

    private readonly TorchSharp.Modules.Sequential stem;
    private readonly TorchSharp.Modules.ModuleList<TorchSharp.Modules.Sequential> down, widen;
    private readonly TorchSharp.Modules.Sequential head;

    public JsiGanDiscriminator() : base(nameof(JsiGanDiscriminator))
    {
        static nn.Module<Tensor, Tensor> Norm(long c) => nn.BatchNorm2d(c, eps: 1e-5, momentum: 0.1);
        static nn.Module<Tensor, Tensor> Act() => nn.LeakyReLU(0.2);
        stem = nn.Sequential(new SpectralNormConv2d(3, 32, 3, 1, 1, bias: true), Act());
        down = new TorchSharp.Modules.ModuleList<TorchSharp.Modules.Sequential>();
        widen = new TorchSharp.Modules.ModuleList<TorchSharp.Modules.Sequential>();
        for (long c = 32; c <= 256; c *= 2)
        {
            down.Add(nn.Sequential(new SpectralNormConv2d(c, c, 4, 2, 1, bias: false), Norm(c), Act()));
            widen.Add(nn.Sequential(new SpectralNormConv2d(c, 2 * c, 3, 1, 1, bias: false), Norm(2 * c), Act()));
        }
        head = nn.Sequential(
            new SpectralNormConv2d(512, 512, 4, 2, 1, bias: false), Norm(512), Act(),
            new SpectralNormConv2d(512, 512, 5, 1, 0, bias: false), Norm(512), Act(),
            new SpectralNormConv2d(512, 1, 1, 1, 0, bias: false), Norm(1));
        RegisterComponents();
    }

    /// <summary>The logits (N × 1 × h × w) and the four features after each halving, for the feature-matching loss.</summary>
    public override (Tensor Logits, Tensor[] Features) forward(Tensor y)
    {
        if (y.shape[^1] < MinimumSide || y.shape[^2] < MinimumSide)
            throw new ArgumentException($"The JSI-GAN discriminator needs inputs of at least {MinimumSide}×{MinimumSide}; got {y.shape[^1]}×{y.shape[^2]}.");
        var features = new Tensor[down.Count];
        var x = stem.call(y);
        for (int i = 0; i < down.Count; i++)
        {
            features[i] = down[i].call(x);
            x = widen[i].call(features[i]);
        }
        return (head.call(x), features);
    }
}
