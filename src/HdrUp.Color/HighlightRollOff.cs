using HdrUp.Color.Internal;
using HdrUp.Core;

namespace HdrUp.Color;

/// <summary>
/// A soft shoulder that keeps light below a display peak: f(x) = x up to the knee k, above it
/// k + (P − k)·(1 − e^(−(x − k)/(P − k))), with P the peak. Slope 1 at the knee (no visible kink), strictly increasing,
/// always below P. Applied to max(R, G, B) as one gain for all three channels, so hue and the channel ratios stay.
/// The dataset's HDR grading uses it with knee 400 and peak 1000 cd/m²; <c>convert --peak</c> with knee 0.75·peak.
/// </summary>
public static class HighlightRollOff
{
    /// <summary>The curve, cd/m² → cd/m²; negative and NaN input give 0.</summary>
    public static double Apply(double x, double knee, double peak)
    {
        if (!(x > 0)) return 0;
        if (x <= knee) return x;
        double range = peak - knee;
        return knee + range * (1.0 - Math.Exp(-(x - knee) / range));
    }

    /// <summary>The common gain f(m)/m for a pixel whose largest channel is <paramref name="maxChannel"/> cd/m².</summary>
    public static double Gain(double maxChannel, double knee, double peak) =>
        maxChannel > knee ? Apply(maxChannel, knee, peak) / maxChannel : 1.0;

    /// <summary>A new PQ BT.2020 frame with the roll-off applied per pixel (PQ code values in and out).</summary>
    public static RgbPlanarFrame ApplyToPq(RgbPlanarFrame pq, double knee, double peak, CancellationToken cancellationToken = default)
    {
        var output = new RgbPlanarFrame(pq.Width, pq.Height);
        int n = pq.PixelCount;
        FrameRows.ForBands(pq.Width, pq.Height, cancellationToken, (start, count) =>
        {
            float[] s = pq.Data, o = output.Data;
            for (int i = start; i < start + count; i++)
            {
                double r = St2084.Eotf(s[i]), g = St2084.Eotf(s[n + i]), b = St2084.Eotf(s[2 * n + i]);
                double k = Gain(Math.Max(r, Math.Max(g, b)), knee, peak);
                if (k == 1.0)
                {
                    o[i] = s[i]; o[n + i] = s[n + i]; o[2 * n + i] = s[2 * n + i];
                    continue;
                }
                o[i] = (float)St2084.InverseEotf(r * k);
                o[n + i] = (float)St2084.InverseEotf(g * k);
                o[2 * n + i] = (float)St2084.InverseEotf(b * k);
            }
        });
        return output;
    }
}

/// <summary>
/// An <see cref="IFrameMapper"/> whose output never exceeds a mastering peak (<c>convert --peak</c>): the inner mapping,
/// then <see cref="HighlightRollOff"/> with the knee at <see cref="KneeFraction"/> of the peak.
/// </summary>
public sealed class PeakLimitedMapper(IFrameMapper inner, double peak) : IFrameMapper, IDisposable
{
    /// <summary>The knee as a share of the peak: light up to 75 % of the peak passes unchanged.</summary>
    public const double KneeFraction = 0.75;

    public string Name => inner.Name;

    public double Peak => peak;

    public IFrameMapper Inner => inner;

    public RgbPlanarFrame Map(RgbPlanarFrame input, CancellationToken cancellationToken = default) =>
        HighlightRollOff.ApplyToPq(inner.Map(input, cancellationToken), KneeFraction * peak, peak, cancellationToken);

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
