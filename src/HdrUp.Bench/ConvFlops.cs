using HdrUp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Bench;

/// <summary>
/// Counts the floating-point operations of a network's convolutions (2 per multiply-add, bias and
/// element-wise work left out, as the paper and the spec count) by running one small frame with a
/// hook on every Conv2d. Shared modules called several times count every call.
/// </summary>
public static class ConvFlops
{
    public static double PerPixel(HdrNetwork network, int size = 64) => PerModule(network, size).Values.Sum();

    /// <summary>FLOP per output pixel of each Conv2d, by its state-dict path.</summary>
    public static Dictionary<string, double> PerModule(HdrNetwork network, int size = 64)
    {
        var flops = new Dictionary<string, double>();
        var removers = new List<Action>();
        foreach (var (name, module) in network.named_modules())
        {
            if (module is TorchSharp.Modules.Conv2d conv)
            {
                long perOutput = conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1];
                var remover = conv.register_forward_hook((_, _, output) =>
                {
                    flops[name] = flops.GetValueOrDefault(name) + 2.0 * output.numel() * perOutput / (size * (double)size);
                    return output;
                });
                removers.Add(remover.remove);
            }
        }
        try
        {
            using var scope = NewDisposeScope();
            using var inference = inference_mode();
            network.eval();
            network.call(rand(1, 3, size, size));
        }
        finally
        {
            foreach (var remove in removers) remove();
        }
        return flops;
    }
}
