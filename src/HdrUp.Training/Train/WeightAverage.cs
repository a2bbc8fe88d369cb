using HdrUp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Training.Train;

/// <summary>
/// An exponential moving average of a network's weights (BasicSR's <c>net_g_ema</c>, option <c>train.ema_decay</c>):
/// after every optimiser step a ← d·a + (1 − d)·w for each floating-point entry of the state dict, buffers copied. On two
/// CPU cores we train with batch 4, and the validation PSNR of successive checkpoints swings by a dB or more; the average
/// over the last ~1/(1 − d) steps is what validation scores and what the run's weights are.
/// </summary>
public sealed class WeightAverage : IDisposable
{
    private readonly List<(Tensor Average, Tensor Source)> pairs = [];

    /// <summary>Starts the average at <paramref name="source"/>'s current weights.</summary>
    public WeightAverage(HdrNetwork source, string architecture, int nf, double decay)
    {
        if (!(decay > 0 && decay < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "the decay must be in (0, 1)");
        Decay = decay;
        Network = ArchRegistry.Create(architecture, nf);
        Network.eval();
        var averages = Network.state_dict();
        foreach (var (name, tensor) in source.state_dict())
        {
            var average = averages[name];
            average.requires_grad_(false);
            pairs.Add((average, tensor));
        }
        Reset();
    }

    public double Decay { get; }

    /// <summary>The averaged network, in eval mode.</summary>
    public HdrNetwork Network { get; }

    /// <summary>Sets the average to the source's weights (a fresh start, or a resumed state that has no average).</summary>
    public void Reset()
    {
        using var _ = torch.no_grad();
        foreach (var (average, source) in pairs) average.copy_(source);
    }

    /// <summary>One step of the average; call after each optimiser step.</summary>
    public void Update()
    {
        using var _ = torch.no_grad();
        foreach (var (average, source) in pairs)
        {
            if (average.is_floating_point()) average.mul_(Decay).add_(source, alpha: 1 - Decay);
            else average.copy_(source);
        }
    }

    public void Dispose() => Network.Dispose();
}
