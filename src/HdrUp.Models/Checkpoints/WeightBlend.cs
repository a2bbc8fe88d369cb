using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.Checkpoints;

/// <summary>
/// Linear interpolation of two networks' weights, (1 − t)·A + t·B, parameter by parameter and buffer by buffer
/// (a "model soup" of two). Two fine-tunes of one ancestor usually sit in one basin of the loss, so their blend
/// trades what each was tuned for (here: paper-style SDR against real-footage SDR) along a smooth curve instead of
/// needing a third training run per trade-off.
/// </summary>
public static class WeightBlend
{
    /// <summary>Writes the blend into <paramref name="a"/> (in place). Both must be the same architecture with the same shapes.</summary>
    /// <exception cref="ArgumentException">The networks differ in keys or shapes, or t is outside [0, 1].</exception>
    public static void Into(HdrNetwork a, HdrNetwork b, double t)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!(t >= 0 && t <= 1)) throw new ArgumentException($"blend weight {t} is outside [0, 1]", nameof(t));
        var sa = a.state_dict();
        var sb = b.state_dict();
        var missing = sa.Keys.Except(sb.Keys).Concat(sb.Keys.Except(sa.Keys)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"the networks differ in {missing.Count} weight(s), e.g. '{missing[0]}': not the same architecture");
        using var noGrad = torch.no_grad();
        foreach (var (key, ta) in sa)
        {
            var tb = sb[key];
            if (!ta.shape.SequenceEqual(tb.shape))
                throw new ArgumentException($"'{key}' is [{string.Join("×", ta.shape)}] in one network and [{string.Join("×", tb.shape)}] in the other");
            // Integer buffers (e.g. batch-norm step counters) are not interpolated: A's are kept.
            if (!ta.is_floating_point()) continue;
            ta.mul_(1 - t).add_(tb, alpha: t);
        }
    }
}
