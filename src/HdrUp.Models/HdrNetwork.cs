using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models;

/// <summary>
/// Common base of the SDR→HDR networks: an N×3×H×W RGB SDR code-value tensor in [0, 1] goes in,
/// an unclamped N×3×H×W HDR10 (PQ, BT.2020) code-value tensor comes out.
/// </summary>
public abstract class HdrNetwork : nn.Module<Tensor, Tensor>
{
    protected HdrNetwork(string name) : base(name) { }

    /// <summary>H and W of the input must be multiples of this (8 for KPNet, 2 single-KIB, 4 KUNet).</summary>
    public abstract int SizeMultiple { get; }

    /// <summary>Feature width nf (64 in every published model).</summary>
    public abstract int Width { get; }

    /// <summary>Top-level modules that exist (for checkpoint compatibility) but are never executed.</summary>
    public virtual IReadOnlyList<string> NeverExecutedModules => Array.Empty<string>();

    /// <summary>
    /// The state dict in PyTorch order: per module its own parameters, then its own buffers, then its children
    /// depth-first (TorchSharp's default lists every parameter of the tree before any buffer). Same keys and
    /// tensors; the order only matters for files written from it, which then list keys as torch.save does.
    /// </summary>
    public override Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null)
    {
        destination ??= new Dictionary<string, Tensor>();
        Collect(this, prefix, destination);
        return destination;
    }

    private static void Collect(nn.Module module, string? prefix, Dictionary<string, Tensor> destination)
    {
        string Key(string name) => string.IsNullOrEmpty(prefix) ? name : $"{prefix}.{name}";
        foreach (var (name, p) in module.named_parameters(recurse: false)) destination.TryAdd(Key(name), p);
        foreach (var (name, b) in module.named_buffers(recurse: false, include_nonpersistent: false)) destination.TryAdd(Key(name), b);
        foreach (var (name, child) in module.named_children()) Collect(child, Key(name), destination);
    }
}
