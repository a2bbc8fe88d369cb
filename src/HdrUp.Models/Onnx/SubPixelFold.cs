using TorchSharp;
using TorchSharp.Modules;

namespace HdrUp.Models.Onnx;

/// <summary>
/// A 3×3, stride-1, zero-padded convolution of a ×2 pixel-shuffled tensor, rewritten as a 2×2 convolution of the
/// unshuffled tensor followed by a ×2 shuffle of its output and a crop of one pixel on each side (the sub-pixel identity
/// of Shi et al., "Real-Time Single Image and Video Super-Resolution Using an Efficient Sub-Pixel Convolutional Neural
/// Network", CVPR 2016, read backwards). Shuffles are in CRD order, as PyTorch's PixelShuffle and ONNX's DepthToSpace:
/// shuffled[c, 2i+a, 2j+b] = unshuffled[4c + 2a + b, i, j].
/// </summary>
/// <remarks>
/// The folded convolution's output block at half-resolution (p, q) holds the full-resolution outputs at rows 2p − 1 + a′
/// and columns 2q − 1 + b′ (a′, b′ ∈ {0, 1}), output channel 4o + 2a′ + b′. Grouping the outputs one pixel up and left
/// of the shuffle's own 2×2 blocks is what makes the kernel 2×2: the original taps of both rows 2p − 1 and 2p (dy ∈ −1…1)
/// read full-resolution rows 2p − 2 … 2p + 1, which are half-resolution rows p − 1 and p, at phase a with
/// 2(ky − 1) + a = a′ + dy − 1. With padding 1 the folded convolution gives H/2 + 1 block rows, the shuffle H + 2 rows
/// (−1 … H), and the crop keeps rows 0 … H − 1; the padding's zeros are the full-resolution padding's. Per
/// full-resolution pixel it does 16/9 of the original convolution's multiply-adds (each output reads 4·4C taps, 9·C of
/// them non-zero); grouped on the shuffle's own blocks it would need a 3×3 kernel and 4×.
/// </remarks>
internal static class SubPixelFold
{
    /// <summary>The folded convolution's kernel side.</summary>
    public const int Kernel = 2;

    /// <summary>True for a convolution the fold handles: 3×3, stride 1, padding 1 with zeros, one group, no dilation.</summary>
    public static bool Applies(Conv2d conv) =>
        conv.kernel_size.SequenceEqual([3L, 3L]) && conv.stride.SequenceEqual([1L, 1L]) && conv.padding_type is null
        && conv.padding is { } padding && padding.SequenceEqual([1L, 1L]) && conv.padding_mode == PaddingModes.Zeros
        && conv.groups == 1 && conv.dilation.All(d => d == 1);

    /// <summary>The folded weights, [4·outputs, 4·inputs, 2, 2] row-major, from [outputs, inputs, 3, 3] ones.</summary>
    public static (float[] Values, long[] Shape) Weight(float[] weight, long outputs, long inputs)
    {
        if (outputs <= 0 || inputs <= 0 || weight.Length != outputs * inputs * 9)
            throw new ArgumentException($"{weight.Length} weights are not {outputs}×{inputs}×3×3.", nameof(weight));
        long foldedInputs = 4 * inputs;
        var folded = new float[16 * outputs * inputs * Kernel * Kernel];
        for (long o = 0; o < outputs; o++)
            for (int phaseY = 0; phaseY < 2; phaseY++)              // a′, b′: where in its block an output pixel is
                for (int phaseX = 0; phaseX < 2; phaseX++)
                {
                    long row = o * 4 + phaseY * 2 + phaseX;
                    for (long c = 0; c < inputs; c++)
                        for (int a = 0; a < 2; a++)                 // a, b: the phase of the input pixel a tap reads
                            for (int b = 0; b < 2; b++)
                                for (int ky = 0; ky < Kernel; ky++)
                                    for (int kx = 0; kx < Kernel; kx++)
                                    {
                                        int dy = 2 * ky + a - phaseY - 1, dx = 2 * kx + b - phaseX - 1;
                                        if (Math.Abs(dy) > 1 || Math.Abs(dx) > 1) continue;
                                        long column = c * 4 + a * 2 + b;
                                        folded[((row * foldedInputs + column) * Kernel + ky) * Kernel + kx] = weight[((o * inputs + c) * 3 + dy + 1) * 3 + dx + 1];
                                    }
                }
        return (folded, [4 * outputs, foldedInputs, Kernel, Kernel]);
    }

    /// <summary>The folded bias: each output channel's bias for the four pixels of its block.</summary>
    public static float[] Bias(float[] bias) => bias.SelectMany(b => Enumerable.Repeat(b, 4)).ToArray();
}
