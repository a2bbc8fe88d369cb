using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Training.Dataset;

/// <summary>
/// Turns a scene-referred linear image (relative scale, BT.709 primaries, the OpenEXR default)
/// into the HDR10 ground truth of the KPNet data format (spec §12: PQ BT.2020 code values / 65535):
/// <list type="number">
/// <item>exposure: one gain per source so that the median BT.709 luminance becomes
/// <see cref="MedianSceneLevel"/> cd/m² (the BT.2408 level of an 18 % grey card when diffuse white
/// is 203 cd/m²);</item>
/// <item>highlight roll-off on max(R, G, B): identity up to <see cref="Knee"/>, then an
/// exponential shoulder with slope 1 at the knee and asymptote <see cref="MasteringPeak"/>
/// (a 1,000 cd/m² master), applied as a common gain to R, G, B so hue is kept;</item>
/// <item>BT.709 → BT.2020 primaries (a convex combination, so no channel exceeds the peak);</item>
/// <item>ST 2084 inverse EOTF.</item>
/// </list>
/// </summary>
public static class HdrGrading
{
    /// <summary>Median scene luminance after exposure, cd/m² (BT.2408 Table 1: 18 % grey = 26 cd/m²).</summary>
    public const double MedianSceneLevel = 26.0;

    /// <summary>Where the roll-off starts, cd/m²: twice the BT.2408 HDR reference white (203).</summary>
    public const double Knee = 400.0;

    /// <summary>Mastering display peak, cd/m²: the asymptote of the roll-off.</summary>
    public const double MasteringPeak = 1000.0;

    /// <summary>BT.709 luma weights (ITU-R BT.709-6 item 3.2): luminance of linear BT.709 RGB.</summary>
    public const double Kr = 0.2126, Kg = 0.7152, Kb = 0.0722;

    /// <summary>
    /// The roll-off curve, cd/m² → cd/m²: x for x ≤ <see cref="Knee"/>, else
    /// knee + (peak − knee)·(1 − exp(−(x − knee)/(peak − knee))). Continuous with slope 1 at the
    /// knee, strictly increasing, always below the peak. Negative and NaN input give 0.
    /// </summary>
    public static double RollOff(double x) => HighlightRollOff.Apply(x, Knee, MasteringPeak);

    /// <summary>BT.709 luminance of every pixel of a linear BT.709 frame (negative channels count as 0).</summary>
    public static float[] Luminance(RgbPlanarFrame linear)
    {
        var y = new float[linear.PixelCount];
        var r = linear.Plane(0);
        var g = linear.Plane(1);
        var b = linear.Plane(2);
        for (int i = 0; i < y.Length; i++)
            y[i] = (float)(Kr * Clean(r[i]) + Kg * Clean(g[i]) + Kb * Clean(b[i]));
        return y;
    }

    /// <summary>
    /// The exposure gain that puts the median luminance at <see cref="MedianSceneLevel"/>.
    /// Throws for an image whose median is zero (a black or mostly empty frame cannot be exposed).
    /// </summary>
    public static double ExposureGain(RgbPlanarFrame linear, string name)
    {
        double median = Percentile(Luminance(linear), 50);
        if (!(median > 0) || double.IsInfinity(median))
            throw new InvalidDataException($"{name}: median luminance is {median}; cannot normalise the exposure of a black image.");
        return MedianSceneLevel / median;
    }

    /// <summary>
    /// Exposure gain → roll-off → BT.2020 → PQ. The input is linear BT.709 (relative); the result
    /// is a new frame of PQ BT.2020 code values in [0, 1]. NaN and negative input become 0.
    /// </summary>
    public static RgbPlanarFrame ToPqBt2020(RgbPlanarFrame linear, double gain)
    {
        var nits = new RgbPlanarFrame(linear.Width, linear.Height);
        var src = linear.Data;
        var dst = nits.Data;
        int n = linear.PixelCount;
        for (int i = 0; i < n; i++)
        {
            double r = Clean(src[i]) * gain, g = Clean(src[n + i]) * gain, b = Clean(src[2 * n + i]) * gain;
            double k = HighlightRollOff.Gain(Math.Max(r, Math.Max(g, b)), Knee, MasteringPeak);
            dst[i] = (float)(r * k);
            dst[n + i] = (float)(g * k);
            dst[2 * n + i] = (float)(b * k);
        }
        var bt2020 = ColorAdapter.Bt709ToBt2020(nits);
        St2084.InverseEotf(bt2020.Data, bt2020.Data);
        return bt2020;
    }

    /// <summary>Nearest-rank percentile (0–100) of the finite values; NaN for an empty set.</summary>
    public static double Percentile(float[] values, double percent)
    {
        var v = values.Where(float.IsFinite).ToArray();
        if (v.Length == 0) return double.NaN;
        Array.Sort(v);
        int rank = (int)Math.Clamp(Math.Ceiling(percent / 100.0 * v.Length) - 1, 0, v.Length - 1);
        return v[rank];
    }

    private static double Clean(float v) => v > 0 && float.IsFinite(v) ? v : 0.0;
}
