using TorchSharp;
using TorchSharp.Modules;

namespace HdrUp.Models.Onnx;

/// <summary>
/// A 3×3, stride-1, zero-padded convolution of a ×2 pixel-shuffled tensor, rewritten as a 3×3 convolution of the
/// unshuffled tensor followed by a ×2 shuffle of its output (the sub-pixel identity of Shi et al., "Real-Time Single Image
/// and Video Super-Resolution Using an Efficient Sub-Pixel Convolutional Neural Network", CVPR 2016, read backwards).
/// Shuffles are in CRD order, as PyTorch's PixelShuffle and ONNX's DepthToSpace: shuffled[c, 2i+a, 2j+b] =
/// unshuffled[4c + 2a + b, i, j]. Output channel 4o + 2a′ + b′ of the folded convolution at (p, q) is output channel o
/// of the original at (2p + a′, 2q + b′); its tap (dy, dx) of the original reads the full-resolution row 2p + a′ + dy,
/// which is half-resolution row p + ky − 1 at phase a with 2(ky − 1) + a = a′ + dy, so each original tap lands on
/// exactly one folded tap and the rest are zero. The half-resolution padding row holds the same zeros as the
/// full-resolution one. For C inputs and O outputs the folded convolution has 4C inputs, 4O outputs and 4× the
/// multiply-adds per full-resolution pixel (three quarters of its taps are zero).
/// </summary>
internal static class SubPixelFold
{
    /// <summary>True for a convolution the fold handles: 3×3, stride 1, padding 1 with zeros, one group, no dilation.</summary>
    public static bool Applies(Conv2d conv) =>
        conv.kernel_size.SequenceEqual([3L, 3L]) && conv.stride.SequenceEqual([1L, 1L]) && conv.padding_type is null
        && conv.padding is { } padding && padding.SequenceEqual([1L, 1L]) && conv.padding_mode == PaddingModes.Zeros
        && conv.groups == 1 && conv.dilation.All(d => d == 1);

    /// <summary>The folded weights, [4·outputs, 4·inputs, 3, 3] row-major, from [outputs, inputs, 3, 3] ones.</summary>
    public static (float[] Values, long[] Shape) Weight(float[] weight, long outputs, long inputs)
    {
        if (outputs <= 0 || inputs <= 0 || weight.Length != outputs * inputs * 9)
            throw new ArgumentException($"{weight.Length} weights are not {outputs}×{inputs}×3×3.", nameof(weight));
        long foldedInputs = 4 * inputs;
        var folded = new float[16 * outputs * inputs * 9];
        for (long o = 0; o < outputs; o++)
            for (int phaseY = 0; phaseY < 2; phaseY++)              // a′, b′: where in its 2×2 block an output pixel is
                for (int phaseX = 0; phaseX < 2; phaseX++)
                {
                    long row = o * 4 + phaseY * 2 + phaseX;
                    for (long c = 0; c < inputs; c++)
                        for (int a = 0; a < 2; a++)                 // a, b: the phase of the input pixel a tap reads
                            for (int b = 0; b < 2; b++)
                                for (int ky = 0; ky < 3; ky++)
                                    for (int kx = 0; kx < 3; kx++)
                                    {
                                        int dy = 2 * (ky - 1) + a - phaseY, dx = 2 * (kx - 1) + b - phaseX;
                                        if (Math.Abs(dy) > 1 || Math.Abs(dx) > 1) continue;
                                        long column = c * 4 + a * 2 + b;
                                        folded[((row * foldedInputs + column) * 3 + ky) * 3 + kx] = weight[((o * inputs + c) * 3 + dy + 1) * 3 + dx + 1];
                                    }
                }
        return (folded, [4 * outputs, foldedInputs, 3, 3]);
    }

    /// <summary>The folded bias: each output channel's bias for the four pixels of its 2×2 block.</summary>
    public static float[] Bias(float[] bias) => bias.SelectMany(b => Enumerable.Repeat(b, 4)).ToArray();
}
