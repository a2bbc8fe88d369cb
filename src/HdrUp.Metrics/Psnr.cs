using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics;

/// <summary>
/// Peak signal-to-noise ratio, PSNR = 10·log10(peak² / MSE), MSE over all H·W·3 values.
/// For the paper metric the values are normalised code values in [0, 1] and the peak is 1
/// (spec §13: PSNR = 20·log10(1/√MSE)).
/// <para>
/// Identical frames give MSE = 0 and PSNR = +∞ (BasicSR convention); NaN input gives NaN.
/// How infinities are averaged over a test set is decided in <see cref="MetricsSummary"/>:
/// they are counted and left out of the mean.
/// </para>
/// </summary>
public static class Psnr
{
    public static double Compute(RgbPlanarFrame pred, RgbPlanarFrame gt, double peak = 1.0) =>
        FromMse(Mse.Compute(pred, gt), peak);

    /// <summary>Converts an MSE to PSNR in dB; MSE = 0 → +∞.</summary>
    public static double FromMse(double mse, double peak = 1.0)
    {
        if (!(peak > 0))
            throw new ArgumentOutOfRangeException(nameof(peak), peak, "The peak must be positive.");
        if (mse < 0)
            throw new ArgumentOutOfRangeException(nameof(mse), mse, "An MSE cannot be negative.");
        if (double.IsNaN(mse))
            return double.NaN;
        if (mse == 0)
            return double.PositiveInfinity;
        return 10.0 * Math.Log10(peak * peak / mse);
    }
}
