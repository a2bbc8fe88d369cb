using System.Text.Json.Serialization;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics;

/// <summary>
/// How faithfully an SDR→HDR result keeps the colours of its SDR input, without a reference HDR:
/// <see cref="HueDriftDegrees"/> = chroma-weighted mean |Δ hue angle| and <see cref="ChromaRatio"/> = Σ C_HDR / Σ C_SDR,
/// over the chromatic, unclipped pixels of the input (<see cref="ColourFidelityAccumulator"/>). NaN when no pixel qualifies.
/// </summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record ColourFidelity(
    [property: JsonPropertyName("hue_drift_deg")] double HueDriftDegrees,
    [property: JsonPropertyName("chroma_ratio")] double ChromaRatio,
    [property: JsonPropertyName("chromatic_pixels")] long ChromaticPixels);

/// <summary>
/// Hue drift and chroma ratio of HDR frames against the SDR frames they were made from. The SDR input is placed in
/// HDR by BT.2408 (BT.1886 decoding, reference white → 203 cd/m², BT.709 → BT.2020; <see cref="Bt2408.SdrToPq"/>), both
/// frames go to ICtCp (BT.2100 PQ), and hue is the angle of (Ct, Cp). A pixel counts when its SDR chroma √(Ct² + Cp²)
/// is at least <see cref="MinChroma"/> (a neutral has no hue) and every SDR channel lies inside
/// (<see cref="ClipMargin"/>, 1 − <see cref="ClipMargin"/>) (a clipped channel has lost its hue already). Each counted pixel
/// weighs its SDR chroma, so a faint tint moves the mean less than a saturated colour. Sums run over every frame
/// added, so a clip's value is pixel-weighted across frames, not a mean of frame means.
/// </summary>
public sealed class ColourFidelityAccumulator
{
    /// <summary>ICtCp chroma below which a pixel is neutral (≈ 10 ΔE_ITP from grey).</summary>
    public const double MinChroma = 0.015;

    /// <summary>SDR code values within this of 0 or 1 count as clipped.</summary>
    public const double ClipMargin = 0.02;

    private double weightedDrift, sdrChroma, hdrChroma;
    private long pixels;

    /// <summary>Adds one frame pair and returns that frame's own values.</summary>
    /// <param name="sdr">SDR BT.709 code values in [0, 1] (the input).</param>
    /// <param name="hdrPq">PQ BT.2020 code values in [0, 1] (the result), same size.</param>
    public ColourFidelity Add(RgbPlanarFrame sdr, RgbPlanarFrame hdrPq)
    {
        FrameChecks.RequireSameSize(sdr, hdrPq);
        int h = sdr.Height;
        var rows = new (double Drift, double Sdr, double Hdr, long Pixels)[h];
        Parallel.For(0, h, y => rows[y] = Row(sdr, hdrPq, y));
        double drift = 0, cs = 0, ch = 0;
        long count = 0;
        foreach (var r in rows) // in row order: the sums do not depend on threading
        {
            drift += r.Drift; cs += r.Sdr; ch += r.Hdr; count += r.Pixels;
        }
        weightedDrift += drift; sdrChroma += cs; hdrChroma += ch; pixels += count;
        return Result(drift, cs, ch, count);
    }

    /// <summary>Folds another accumulator's sums in (e.g. per-shot sums into a whole clip's), as if its frames had been added here.</summary>
    public void Merge(ColourFidelityAccumulator other)
    {
        weightedDrift += other.weightedDrift; sdrChroma += other.sdrChroma; hdrChroma += other.hdrChroma; pixels += other.pixels;
    }

    /// <summary>The values over every frame added so far.</summary>
    public ColourFidelity Total => Result(weightedDrift, sdrChroma, hdrChroma, pixels);

    private static ColourFidelity Result(double drift, double sdrC, double hdrC, long count) =>
        count == 0 ? new ColourFidelity(double.NaN, double.NaN, 0) : new ColourFidelity(drift / sdrC, hdrC / sdrC, count);

    private static (double, double, double, long) Row(RgbPlanarFrame sdr, RgbPlanarFrame hdr, int y)
    {
        int n = sdr.PixelCount, start = y * sdr.Width;
        float[] s = sdr.Data, p = hdr.Data;
        double drift = 0, cs = 0, ch = 0;
        long count = 0;
        for (int i = start; i < start + sdr.Width; i++)
        {
            double r = s[i], g = s[n + i], b = s[2 * n + i];
            if (Math.Min(r, Math.Min(g, b)) <= ClipMargin || Math.Max(r, Math.Max(g, b)) >= 1 - ClipMargin) continue;
            var (pr, pg, pb) = Bt2408.SdrToPq(r, g, b);
            var a = Ictcp.FromPqBt2020(pr, pg, pb);
            double ca = Math.Sqrt(a.Ct * a.Ct + a.Cp * a.Cp);
            if (!(ca >= MinChroma)) continue;
            var o = Ictcp.FromPqBt2020(p[i], p[n + i], p[2 * n + i]);
            double co = Math.Sqrt(o.Ct * o.Ct + o.Cp * o.Cp);
            drift += ca * HueDifferenceDegrees(Math.Atan2(a.Cp, a.Ct), Math.Atan2(o.Cp, o.Ct));
            cs += ca;
            ch += co;
            count++;
        }
        return (drift, cs, ch, count);
    }

    /// <summary>|a − b| of two angles in radians, wrapped to [0°, 180°].</summary>
    public static double HueDifferenceDegrees(double a, double b)
    {
        double d = Math.Abs(a - b) % (2 * Math.PI);
        if (d > Math.PI) d = 2 * Math.PI - d;
        return d * 180 / Math.PI;
    }
}
