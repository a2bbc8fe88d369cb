using TorchSharp;

namespace HdrUp.Models.Tests.Onnx;

/// <summary>Narrow KPNets whose weights depend on a seed only.</summary>
internal static class SeededNetwork
{
    /// <summary>
    /// A <c>kpnet-nf16</c> in eval mode; the same seed gives the same weights (what a second process loading the same file
    /// holds). They come from a generator of its own, not torch's shared one, which tests running in parallel draw from
    /// too; at the scale of PyTorch's default initialisation (uniform within ±1/√fan-in), so that outputs keep a picture's
    /// range, with biases and BatchNorm statistics near 0 and 1.
    /// </summary>
    public static HdrNetwork Create(int seed)
    {
        var net = ArchRegistry.Create("kpnet-nf16");
        using var generator = new torch.Generator((ulong)seed);
        using (torch.no_grad())
            foreach (var (name, tensor) in net.state_dict().Where(e => e.Value.is_floating_point()))
            {
                using var u = torch.rand(tensor.shape, generator: generator) * 2 - 1;
                if (name.EndsWith("running_mean", StringComparison.Ordinal) || name.EndsWith("bias", StringComparison.Ordinal)) tensor.copy_(u * 0.05);
                else if (tensor.dim() == 1) tensor.copy_(u * 0.25 + 1);   // running variances and BatchNorm scales
                else tensor.copy_(u / Math.Sqrt(tensor.numel() / tensor.shape[0]));
            }
        net.eval();
        return net;
    }
}
