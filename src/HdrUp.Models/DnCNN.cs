// Reproduces DnCNN (Zhang, Zuo, Chen, Meng, Zhang, IEEE TIP 2017, "Beyond a Gaussian Denoiser: Residual
// Learning of Deep CNN for Image Denoising", §III-A, Fig. 1): depth D = 17 layers of 3×3 convolutions with
// 64 channels — Conv+ReLU, (D − 2) × (Conv+BN+ReLU), Conv — and residual learning. Compared as a learned
// baseline in the KPNet paper, Tab. 1 ("DNCNN, 559K"), and used as the restoration stage of its cascades.
using HdrUp.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HdrUp.Models;

/// <summary>
/// DnCNN: O = x + conv_last(body(ReLU(conv_first(x)))), body = (depth − 2) × ReLU(BN(Conv(3, 1, nf→nf, no bias))).
/// All convolutions are 3×3, stride 1, zero padding 1, so any H×W works (<see cref="SizeMultiple"/> 1).
/// </summary>
/// <remarks>
/// <para><b>Residual.</b> DnCNN denoises as x̂ = y − R(y), R predicting the noise. For SDR→HDR both the input and
/// the output are 3-channel code values in the same layout (SDR BT.709 in, PQ BT.2020 out), so the residual form
/// is kept as O = x + R(x): R learns the per-pixel HDR-minus-SDR code-value difference (the sign is absorbed by
/// the last convolution; the function class is the original one). As a restoration stage (compressed SDR →
/// clean SDR, see <see cref="DnCNNKUNet"/>) R is exactly minus the original "noise" (the compression error).</para>
/// <para><b>Parameters</b> at nf = 64, depth 17: <b>558,403</b> = conv_first 3×3 3→64 with bias (1,728 + 64 = 1,792)
/// + 15 × body block (conv 3×3 64→64 without bias 36,864 + BN γ, β 128 = 36,992) = 554,880
/// + conv_last 3×3 64→3 with bias (1,728 + 3 = 1,731). The BN running mean/variance (15 × 128) and
/// <c>num_batches_tracked</c> are buffers, not parameters. Paper Tab. 1 says 559K: that is 559,363 = 558,403 + 960,
/// the count of an implementation that also gives the 15 convolutions before BN a bias (15 × 64), which BN's
/// shift β makes redundant; the original DnCNN has no bias there, so neither do we.</para>
/// <para>BatchNorm2d uses PyTorch's defaults (eps 1e-5, momentum 0.1); call <c>eval()</c> for inference.
/// State-dict keys (94 entries): <c>conv_first.*</c>, <c>body.{i}.conv.weight</c>,
/// <c>body.{i}.bn.{weight,bias,running_mean,running_var,num_batches_tracked}</c> (i = 0…14), <c>conv_last.*</c>.</para>
/// </remarks>
public sealed class DnCNN : HdrNetwork
{
    // Declaration order = state-dict key order.
    private readonly nn.Module<Tensor, Tensor> conv_first;
    private readonly ModuleList<ConvBnRelu> body;
    private readonly nn.Module<Tensor, Tensor> conv_last;
    private readonly int nf;

    /// <summary>Builds DnCNN.</summary>
    /// <param name="nf">Feature channels of every hidden layer (default 64).</param>
    /// <param name="depth">Number of convolution layers D, first and last included (default 17, at least 2).</param>
    public DnCNN(int nf = 64, int depth = 17) : base(nameof(DnCNN))
    {
        if (nf < 1) throw new ArgumentOutOfRangeException(nameof(nf), nf, "nf must be positive.");
        if (depth < 2) throw new ArgumentOutOfRangeException(nameof(depth), depth, "DnCNN needs at least the first and the last convolution.");
        this.nf = nf;
        Depth = depth;
        conv_first = Layers.Conv(3, nf, 3);
        body = nn.ModuleList(Enumerable.Range(0, depth - 2).Select(_ => new ConvBnRelu(nf)).ToArray());
        conv_last = Layers.Conv(nf, 3, 3);
        RegisterComponents();
    }

    /// <summary>Number of convolution layers D (17 as published).</summary>
    public int Depth { get; }

    /// <inheritdoc/>
    /// <remarks>1: stride-1, padding-1 convolutions only.</remarks>
    public override int SizeMultiple => 1;

    /// <inheritdoc/>
    public override int Width => nf;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var f = conv_first.call(input).relu_();
        foreach (var block in body) f = f.Consume(block.call);
        var result = f.Consume(conv_last.call).Consume(r => input + r);                     // O = x + R(x)
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>One body layer: ReLU(BN(Conv(3, 1, nf→nf, no bias))), keys <c>conv.weight</c> and <c>bn.*</c>.</summary>
    private sealed class ConvBnRelu : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> conv;
        private readonly nn.Module<Tensor, Tensor> bn;

        public ConvBnRelu(long nf) : base(nameof(ConvBnRelu))
        {
            conv = Layers.Conv(nf, nf, 3, bias: false);
            bn = nn.BatchNorm2d(nf, eps: 1e-5, momentum: 0.1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var result = conv.call(x).Consume(bn.call).relu_();
            return result.MoveToOuterDisposeScope();
        }
    }
}
