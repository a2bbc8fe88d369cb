using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics;

/// <summary>
/// Temporal stability of a frame sequence (issue #8): the flicker index is the mean absolute frame-to-frame change,
/// mean over consecutive pairs of mean |F_t − F_{t−1}| over all H·W·3 code values. A method's index is read against
/// the ground truth's on the same frames (the camera motion alone changes pixels); the temporal error
/// mean |(O_t − O_{t−1}) − (G_t − G_{t−1})| isolates the change the method adds or removes.
/// </summary>
public static class Flicker
{
    /// <summary>Flicker index of one sequence (at least two frames of one size).</summary>
    public static double Index(IReadOnlyList<RgbPlanarFrame> frames)
    {
        RequireSequence(frames, nameof(frames));
        double sum = 0;
        for (int t = 1; t < frames.Count; t++)
        {
            FrameChecks.RequireSameSize(frames[t], frames[t - 1]);
            sum += MeanAbs(frames[t].Data, frames[t - 1].Data, null, null);
        }
        return sum / (frames.Count - 1);
    }

    /// <summary>Temporal error of <paramref name="output"/> against <paramref name="truth"/> (same length and sizes).</summary>
    public static double TemporalError(IReadOnlyList<RgbPlanarFrame> output, IReadOnlyList<RgbPlanarFrame> truth)
    {
        RequireSequence(output, nameof(output));
        if (output.Count != truth.Count)
            throw new ArgumentException($"Output has {output.Count} frames but ground truth has {truth.Count}.", nameof(truth));
        double sum = 0;
        for (int t = 1; t < output.Count; t++)
        {
            FrameChecks.RequireSameSize(output[t], truth[t]);
            FrameChecks.RequireSameSize(output[t - 1], truth[t - 1]);
            sum += MeanAbs(output[t].Data, output[t - 1].Data, truth[t].Data, truth[t - 1].Data);
        }
        return sum / (output.Count - 1);
    }

    private static void RequireSequence(IReadOnlyList<RgbPlanarFrame> frames, string name)
    {
        ArgumentNullException.ThrowIfNull(frames, name);
        if (frames.Count < 2) throw new ArgumentException($"A flicker measure needs at least two frames, got {frames.Count}.", name);
    }

    // mean |(a − b) − (c − d)|, or mean |a − b| without c and d.
    private static double MeanAbs(float[] a, float[] b, float[]? c, float[]? d)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double change = a[i] - b[i];
            if (c is not null) change -= c[i] - d![i];
            sum += Math.Abs(change);
        }
        return sum / a.Length;
    }
}
