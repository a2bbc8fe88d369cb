using HdrUp.Models.Onnx;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace HdrUp.Models.Tests.Onnx;

/// <summary>The exporter's sub-pixel fold of KPNet's tail: the identity itself, when it applies, and the graph it gives.</summary>
public class SubPixelFoldTests(ITestOutputHelper output)
{
    // conv(PS2(x)) = crop(PS2(conv′(x))) for random weights, bias and input, odd sides included; the two sides differ only
    // by float rounding.
    [Theory]
    [InlineData(5, 3, 6, 7)]
    [InlineData(2, 4, 1, 1)]    // one half-resolution pixel: every tap but the centre block reads the padding
    public void A_convolution_after_a_pixel_shuffle_equals_the_shuffle_after_the_folded_convolution(int inputs, int outputs, int height, int width)
    {
        torch.random.manual_seed(inputs * 100 + outputs);
        using var x = torch.randn(1, 4 * inputs, height, width);
        using var w = torch.randn(outputs, inputs, 3, 3);
        using var b = torch.randn(outputs);
        using var shuffled = nn.functional.pixel_shuffle(x, 2);
        using var expected = nn.functional.conv2d(shuffled, w, b, padding: [1, 1]);

        var (folded, shape) = SubPixelFold.Weight(w.data<float>().ToArray(), outputs, inputs);
        Assert.Equal([4L * outputs, 4L * inputs, 2, 2], shape);
        using var fw = torch.tensor(folded).reshape(shape);
        using var fb = torch.tensor(SubPixelFold.Bias(b.data<float>().ToArray()));
        using var half = nn.functional.conv2d(x, fw, fb, padding: [1, 1]);
        Assert.Equal([1L, 4 * outputs, height + 1, width + 1], half.shape);
        using var shuffledOutput = nn.functional.pixel_shuffle(half, 2);
        using var actual = shuffledOutput[.., .., 1..^1, 1..^1];

        double max = (actual - expected).abs().max().item<float>(), magnitude = expected.abs().max().item<float>();
        output.WriteLine($"{inputs}→{outputs} on {height}×{width}: max |Δ| {max:E2}, output magnitude {magnitude:F2}");
        Assert.Equal(expected.shape, actual.shape);
        Assert.InRange(max, 0, 2e-6 * magnitude);   // float rounding of sums taken in another order
        // Each original tap lands once in each of the four phases' 2×2 windows: 36 of every 64 folded taps.
        Assert.Equal(w.numel() * 4, folded.Count(v => v != 0));
    }

    [Fact]
    public void Only_plain_zero_padded_3x3_convolutions_fold()
    {
        using var plain = nn.Conv2d(8, 3, 3, padding: 1);
        using var wide = nn.Conv2d(8, 3, 5, padding: 2);
        using var strided = nn.Conv2d(8, 3, 3, stride: 2, padding: 1);
        using var reflect = nn.Conv2d(8, 3, 3, padding: 1, padding_mode: PaddingModes.Reflect);
        using var unpadded = nn.Conv2d(8, 3, 3);
        Assert.True(SubPixelFold.Applies(plain));
        Assert.False(SubPixelFold.Applies(wide));
        Assert.False(SubPixelFold.Applies(strided));
        Assert.False(SubPixelFold.Applies(reflect));
        Assert.False(SubPixelFold.Applies(unpadded));
        Assert.Throws<ArgumentException>(() => SubPixelFold.Weight(new float[8 * 3 * 9 - 1], 3, 8));
    }

    // The exported graph ends in conv_last folded onto up_conv2's 4·nf unshuffled channels, a shuffle of 12 channels to the
    // frame's 3 and a crop, and the int8 plan keeps that last convolution and the tensors after it float.
    [Fact]
    public void The_exported_tail_shuffles_three_channels_into_the_frame()
    {
        torch.random.manual_seed(3);
        using var net = ArchRegistry.Create("kpnet-half-nf32");
        var (graph, _, _) = OnnxExport.Build(net);
        var producers = graph.Nodes.SelectMany(n => n.Outputs.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        var identity = producers[OnnxExport.OutputName];
        var crop = producers[identity.Inputs[0]];
        Assert.Equal("Slice", crop.OpType);
        Assert.Equal([1L, 1], (long[])graph.Initializer(crop.Inputs[1])!.Data);
        Assert.Equal([-1L, -1], (long[])graph.Initializer(crop.Inputs[2])!.Data);
        Assert.Equal([2L, 3], (long[])graph.Initializer(crop.Inputs[3])!.Data);
        var shuffle = producers[crop.Inputs[0]];
        Assert.Equal("DepthToSpace", shuffle.OpType);
        var last = producers[shuffle.Inputs[0]];
        Assert.Equal("Conv", last.OpType);
        Assert.Equal("conv_last.weight/sub_pixel", last.Inputs[1]);
        Assert.Equal([12L, 4 * 32, 2, 2], graph.Initializer(last.Inputs[1])!.Dims);
        Assert.Null(graph.Initializer("conv_last.weight"));
        Assert.Equal("Relu", producers[last.Inputs[0]].OpType);   // ReLU before the convolution, at half resolution

        var plan = OnnxInt8.Plan(graph);
        Assert.Equal(new HashSet<string> { crop.Outputs[0], shuffle.Outputs[0], last.Outputs[0] }, OnnxInt8.FrameTensors(graph));
        Assert.DoesNotContain(last.Name, plan.Convolutions);
        Assert.DoesNotContain(last.Outputs[0], plan.Tensors);
        Assert.DoesNotContain(shuffle.Outputs[0], plan.Tensors);
        Assert.Contains(last.Inputs[0], plan.Tensors);   // what it reads is the quantised upsampler's output
    }
}
