using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics;

/// <summary>
/// Mean squared error over all H·W·3 values, as in the KPNet paper metrics (spec §13).
/// Expected input: normalised code values (PQ BT.2020 / 65535 for the paper), i.e. [0, 1], but any
/// finite values are accepted. Accumulates in double so that 1080p frames (6.2 M values) lose no
/// precision. A NaN anywhere yields NaN: a broken frame must not look good.
/// </summary>
public static class Mse
{
    public static double Compute(RgbPlanarFrame pred, RgbPlanarFrame gt)
    {
        FrameChecks.RequireSameSize(pred, gt);
        return Compute(pred.Data, gt.Data);
    }

    public static double Compute(ReadOnlySpan<float> pred, ReadOnlySpan<float> gt)
    {
        if (pred.Length != gt.Length)
            throw new ArgumentException($"Lengths differ: {pred.Length} vs {gt.Length}.", nameof(pred));
        if (pred.Length == 0)
            throw new ArgumentException("MSE of an empty array is undefined.", nameof(pred));

        // Four independent accumulators let the JIT overlap the adds; the order is fixed, so the
        // result is deterministic.
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= pred.Length; i += 4)
        {
            double d0 = (double)pred[i] - gt[i];
            double d1 = (double)pred[i + 1] - gt[i + 1];
            double d2 = (double)pred[i + 2] - gt[i + 2];
            double d3 = (double)pred[i + 3] - gt[i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < pred.Length; i++)
        {
            double d = (double)pred[i] - gt[i];
            s0 += d * d;
        }
        return (s0 + s1 + s2 + s3) / pred.Length;
    }
}
