// Thin wrapper that reproduces the official code's `conv_block`-style modules whose only
// parameterised child is called `conv` (state-dict keys end in `.conv.weight` / `.conv.bias`,
// spec §1). The activation is applied by the parent, where the spec states it.
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.Blocks;

/// <summary>A k×k, stride-1, "same"-padded convolution stored under the child name <c>conv</c>.</summary>
public sealed class ConvLayer : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> conv;

    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Kernel size (1 or 3); padding is kernelSize / 2.</param>
    public ConvLayer(long inChannels, long outChannels, long kernelSize) : base(nameof(ConvLayer))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernelSize, padding: kernelSize / 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => conv.call(input);
}
