using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics;

/// <summary>
/// PU21 perceptually uniform encoding and PU21-PSNR: R. K. Mantiuk, M. Azimi, "PU21: A novel
/// perceptually uniform encoding for adapting existing quality metrics for HDR", Picture Coding
/// Symposium 2021; reference code github.com/gfxdisp/pu21 (matlab/pu21_encoder.m, pu21_metric.m).
/// Only the "banding_glare" variant is provided: the authors ask that only it be used.
/// </summary>
public static class Pu21
{
    /// <summary>Validity range of the encoding in absolute luminance, cd/m²; inputs are clamped to it as the reference code does.</summary>
    public const double MinLuminance = 0.005, MaxLuminance = 10000.0;

    /// <summary>
    /// Peak used by the reference <c>pu21_metric(T, R, 'PSNR')</c>: <c>psnr(P_test, P_reference, 256)</c>.
    /// The encoding maps 0.1…100 cd/m² (an SDR display) to roughly 0…256, so PU21-PSNR values are
    /// comparable with SDR PSNR in 8-bit units. Use <see cref="EncodedPeak"/> instead for a peak at the
    /// top of the encoding (gives values 20·log10(595.39/256) ≈ 7.33 dB higher).
    /// </summary>
    public const double ReferencePsnrPeak = 256.0;

    // banding_glare, "updated on 06/02/2020" in pu21_encoder.m; identical in the reference PyTorch
    // port and in third-party ports (FFmpeg/VQEG siti-tools tabulate PU(0.005) = 5.4705e-10 and
    // PU(10000) = 595.3939 for this set, which the tests check).
    private const double P1 = 0.353487901, P2 = 0.3734658629, P3 = 8.277049286e-05, P4 = 0.9062562627,
        P5 = 0.09150303166, P6 = 0.9099517204, P7 = 596.3148142;

    /// <summary>PU(10 000 cd/m²) ≈ 595.394, the largest encoded value.</summary>
    public static readonly double EncodedPeak = Encode(MaxLuminance);

    /// <summary>
    /// V = p7·(((p1 + p2·Y^p4) / (1 + p3·Y^p4))^p5 − p6) for absolute luminance Y in cd/m², clamped
    /// to [0.005, 10 000]. Monotonic increasing; NaN → NaN.
    /// </summary>
    public static double Encode(double luminance)
    {
        double y = Math.Clamp(luminance, MinLuminance, MaxLuminance);
        double yp = Math.Pow(y, P4);
        return P7 * (Math.Pow((P1 + P2 * yp) / (1 + P3 * yp), P5) - P6);
    }

    /// <summary>
    /// PU21-PSNR of two frames of PQ BT.2020 code values in [0, 1]: each of R, G, B → PQ EOTF →
    /// absolute linear cd/m² → <see cref="Encode"/>, then 10·log10(peak² / MSE) over all H·W·3 encoded
    /// values, as the reference <c>pu21_metric(…, 'PSNR')</c> does on absolute linear RGB
    /// ("PSNR (colour)", no luminance conversion). Identical frames → +∞; NaN → NaN.
    /// </summary>
    public static double Psnr(RgbPlanarFrame pred, RgbPlanarFrame gt, double peak = ReferencePsnrPeak, bool parallel = true)
    {
        FrameChecks.RequireSameSize(pred, gt);
        float[] p = pred.Data, g = gt.Data;
        int w = pred.Width, rows = 3 * pred.Height;
        var rowSums = new double[rows];
        if (parallel)
            Parallel.For(0, rows, r => rowSums[r] = RowSquaredError(p, g, r * w, w));
        else
            for (int r = 0; r < rows; r++)
                rowSums[r] = RowSquaredError(p, g, r * w, w);
        double total = 0;
        foreach (double s in rowSums)
            total += s;
        return HdrUp.Metrics.Psnr.FromMse(total / p.Length, peak);
    }

    private static double RowSquaredError(float[] p, float[] g, int start, int count)
    {
        double sum = 0;
        for (int i = start; i < start + count; i++)
        {
            double d = Encode(St2084.Eotf(p[i])) - Encode(St2084.Eotf(g[i]));
            sum += d * d;
        }
        return sum;
    }
}
