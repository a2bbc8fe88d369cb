using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HdrUp.Training.Train;

/// <summary>
/// Mixed-precision training without autocast (TorchSharp 0.107 has none): a bfloat16 copy of the fp32 master
/// modules runs forward and backward, the optimiser steps the fp32 master. Per step: <see cref="Pull"/> rounds the
/// master parameters and buffers into the copy, the loss is built on the copy's output cast to fp32, then
/// <see cref="Push"/> hands the copy's gradients to the master as fp32 and takes back the BatchNorm running
/// statistics the forward pass updated. bf16 keeps fp32's exponent range, so gradients need no loss scaling;
/// the master weights keep their full precision across the small Adam updates bf16 would round away.
/// </summary>
public sealed class Bf16Shadow : IDisposable
{
    private readonly List<(Tensor Master, Tensor Copy)> parameters = [];
    private readonly List<(Tensor Master, Tensor Copy)> buffers = [];

    /// <param name="master">The fp32 modules the optimiser owns.</param>
    /// <param name="copies">Freshly built modules of the same architectures (same state-dict keys); converted to bf16 here.</param>
    public Bf16Shadow(IReadOnlyList<nn.Module> master, IReadOnlyList<nn.Module> copies)
    {
        if (master.Count != copies.Count) throw new ArgumentException("One copy per master module is needed.", nameof(copies));
        for (int m = 0; m < master.Count; m++)
        {
            copies[m].to(ScalarType.BFloat16);
            Pair(master[m].named_parameters(), copies[m].named_parameters(), parameters);
            Pair(master[m].named_buffers(), copies[m].named_buffers(), buffers);
        }
        Copies = copies;
        Pull();
    }

    /// <summary>The bf16 modules the forward pass runs on (in the same order as the masters).</summary>
    public IReadOnlyList<nn.Module> Copies { get; }

    private static void Pair(IEnumerable<(string, Parameter)> master, IEnumerable<(string, Parameter)> copy, List<(Tensor, Tensor)> into) =>
        Pair(master.Select(p => (p.Item1, (Tensor)p.Item2)), copy.Select(p => (p.Item1, (Tensor)p.Item2)), into);

    private static void Pair(IEnumerable<(string, Tensor)> master, IEnumerable<(string, Tensor)> copy, List<(Tensor, Tensor)> into)
    {
        var byName = copy.ToDictionary(p => p.Item1, p => p.Item2);
        foreach (var (name, t) in master)
        {
            if (!byName.TryGetValue(name, out var c) || !c.shape.SequenceEqual(t.shape))
                throw new ArgumentException($"The bf16 copy has no tensor '{name}' of shape [{string.Join(", ", t.shape)}].");
            into.Add((t, c));
        }
    }

    /// <summary>Master → copy: parameters and buffers rounded to bf16 (integer buffers copied as they are).</summary>
    public void Pull()
    {
        using var noGrad = torch.no_grad();
        foreach (var (m, c) in parameters) c.copy_(m);
        foreach (var (m, c) in buffers) c.copy_(m);
    }

    /// <summary>
    /// Copy → master after backward: each gradient as fp32 into the master's <c>.grad</c> (the copy's is cleared),
    /// and the buffers the forward pass changed (BatchNorm running mean, variance and batch count).
    /// </summary>
    public void Push()
    {
        using var noGrad = torch.no_grad();
        foreach (var (m, c) in parameters)
        {
            var g = c.grad;
            if (g is null) continue;
            var old = m.grad;
            m.grad = g.to(m.dtype);
            old?.Dispose();
            c.grad = null;
            g.Dispose();
        }
        foreach (var (m, c) in buffers) m.copy_(c);
    }

    public void Dispose()
    {
        foreach (var c in Copies) c.Dispose();
    }
}
