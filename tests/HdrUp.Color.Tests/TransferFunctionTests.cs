using HdrUp.Core;

namespace HdrUp.Color.Tests;

public class Bt709Tests
{
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.01, 0.045)] // linear segment: 4.5·L (BT.709-6 item 1.2)
    [InlineData(0.5, 0.7055150899221212)] // 1.099·0.5^0.45 − 0.099, hand-computed
    [InlineData(1.0, 1.0)] // reference white → 1 (1.099 − 0.099)
    public void Oetf_known_points(double l, double v) => Assert.Equal(v, Bt709.Oetf(l), 1e-12);

    [Fact]
    public void Segments_meet_within_the_published_constants_step()
    {
        // With the printed constants the two segments differ by 2.4e-4 at L = 0.018 (0.081 vs 0.08125).
        Assert.Equal(0.081, 4.5 * 0.018, 1e-12);
        Assert.Equal(0.08124794403514046, Bt709.Oetf(0.018), 1e-12);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.005)]
    [InlineData(0.018)]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(1.1)]
    public void Round_trips(double l) => Assert.Equal(l, Bt709.InverseOetf(Bt709.Oetf(l)), 1e-12);

    [Fact]
    public void Edges_negative_clamps_nan_propagates()
    {
        Assert.Equal(0.0, Bt709.Oetf(-0.2), 0.0);
        Assert.Equal(0.0, Bt709.InverseOetf(-0.2), 0.0);
        Assert.True(double.IsNaN(Bt709.Oetf(double.NaN)));
        Assert.True(double.IsNaN(Bt709.InverseOetf(double.NaN)));
    }

    [Fact]
    public void Spans_match_scalar() => SpanCheck.Matches(Bt709.Oetf, Bt709.Oetf, Bt709.InverseOetf, Bt709.InverseOetf, 1.1, 1e-6);
}

public class SrgbTests
{
    [Theory]
    [InlineData(0.5, 0.21404114048223255)] // ((0.5 + 0.055) / 1.055)^2.4, IEC 61966-2-1 equation
    [InlineData(0.04045, 0.0031308)] // the published break point pair (0.04045 / 12.92 = 0.0031308…)
    [InlineData(1.0, 1.0)]
    [InlineData(0.0, 0.0)]
    public void Eotf_known_points(double v, double l) => Assert.Equal(l, Srgb.Eotf(v), 1e-7);

    [Fact]
    public void Middle_grey_encodes_to_118_of_255()
    {
        // 18 % grey → 0.461356 → 8-bit code 118 (the well-known sRGB middle grey).
        Assert.Equal(0.46135612950044164, Srgb.InverseEotf(0.18), 1e-12);
        Assert.Equal(118, (int)Math.Round(255 * Srgb.InverseEotf(0.18)));
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.2)]
    [InlineData(0.9)]
    public void Round_trips(double l) => Assert.Equal(l, Srgb.Eotf(Srgb.InverseEotf(l)), 1e-12);

    [Fact]
    public void Edges() 
    {
        Assert.Equal(0.0, Srgb.Eotf(-1), 0.0);
        Assert.True(double.IsNaN(Srgb.InverseEotf(double.NaN)));
    }

    [Fact]
    public void Spans_match_scalar() => SpanCheck.Matches(Srgb.Eotf, Srgb.Eotf, Srgb.InverseEotf, Srgb.InverseEotf, 1.0, 1e-6);
}

public class Bt1886Tests
{
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, 18.94645708137998)] // Lb = 0: L = 100·0.5^2.4 (BT.1886 Annex 1)
    [InlineData(1.0, 100.0)]
    public void Eotf_zero_black(double v, double l) => Assert.Equal(l, Bt1886.Eotf(v), 1e-9);

    [Fact]
    public void Eotf_with_black_level_hits_lb_and_lw()
    {
        // BT.1886 Annex 1: V = 0 gives Lb, V = 1 gives Lw; the mid value and a = 87.0311,
        // b = 0.0595848 for Lw = 100, Lb = 0.1 are hand-computed from the Annex formulas.
        Assert.Equal(0.1, Bt1886.Eotf(0.0, 100, 0.1), 1e-12);
        Assert.Equal(100.0, Bt1886.Eotf(1.0, 100, 0.1), 1e-9);
        Assert.Equal(21.60491116738936, Bt1886.Eotf(0.5, 100, 0.1), 1e-9);
        Assert.Equal(0.5, Bt1886.InverseEotf(21.60491116738936, 100, 0.1), 1e-12);
    }

    [Fact]
    public void Edges()
    {
        Assert.Equal(0.0, Bt1886.Eotf(-0.3), 0.0);
        Assert.Equal(0.0, Bt1886.InverseEotf(-5), 0.0);
        Assert.Equal(0.0, Bt1886.InverseEotf(0.05, 100, 0.1), 0.0); // below the black level
        Assert.True(double.IsNaN(Bt1886.Eotf(double.NaN)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bt1886.Eotf(0.5, 0.1, 0.2));
    }

    [Fact]
    public void Spans_match_scalar() =>
        SpanCheck.Matches(v => Bt1886.Eotf(v, 203, 0.05), (s, d) => Bt1886.Eotf(s, d, 203, 0.05),
            l => Bt1886.InverseEotf(l, 203, 0.05), (s, d) => Bt1886.InverseEotf(s, d, 203, 0.05), 1.0, 1e-6);
}

public class HlgTests
{
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(1.0 / 12, 0.5)] // √(3/12), the segment joint (BT.2100 Table 5)
    [InlineData(1.0, 1.0)] // a·ln(12 − b) + c = 1 by construction of a, b, c (to the 8 published digits of a)
    [InlineData(0.5, 0.8716434708741772)] // hand-computed from the Table 5 formula
    public void Oetf_known_points(double e, double signal) => Assert.Equal(signal, Hlg.Oetf(e), 1e-8);

    [Fact]
    public void Constants_follow_from_a() 
    {
        Assert.Equal(0.28466892, Hlg.B, 1e-8); // BT.2100 Table 5
        Assert.Equal(0.55991073, Hlg.C, 1e-8); // BT.2100 Table 5
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.02)]
    [InlineData(1.0 / 12)]
    [InlineData(0.4)]
    [InlineData(1.0)]
    public void Round_trips(double e) => Assert.Equal(e, Hlg.InverseOetf(Hlg.Oetf(e)), 1e-12);

    [Theory]
    [InlineData(1000.0, 1.2)] // BT.2100: γ = 1.2 at the 1 000 cd/m² reference display
    [InlineData(2000.0, 1.3264326)] // 1.2 + 0.42·log10 2
    [InlineData(400.0, 1.0328651)] // 1.2 − 0.42·log10 2.5
    public void System_gamma(double lw, double gamma) => Assert.Equal(gamma, Hlg.SystemGamma(lw), 1e-6);

    [Theory]
    // ITU-R BT.2408 Table 1 (1 000 cd/m² HLG display): reference white 75 % → 203 cd/m²,
    // 18 % grey card 38 % → 26 cd/m². The Table rounds to whole cd/m², hence 0.5 tolerance.
    [InlineData(0.75, 203.0)]
    [InlineData(0.38, 26.0)]
    public void Eotf_matches_BT2408_table(double signal, double cdm2)
    {
        var (r, g, b) = Hlg.Eotf(signal, signal, signal);
        Assert.Equal(cdm2, r, 0.5);
        Assert.Equal(r, g, 1e-12);
        Assert.Equal(r, b, 1e-12);
    }

    [Fact]
    public void Eotf_black_lift_and_peak()
    {
        Assert.Equal(1000.0, Hlg.Eotf(1, 1, 1).R, 1e-4);
        Assert.Equal(0.0, Hlg.Eotf(0, 0, 0).G, 0.0);
        // With Lb the β lift makes signal 0 display exactly Lb (BT.2100-2 Table 5 note).
        Assert.Equal(0.05, Hlg.Eotf(0, 0, 0, 1000, 0.05).R, 1e-9);
    }

    [Fact]
    public void Planar_eotf_matches_scalar()
    {
        float[] r = [0f, 0.2f, 0.75f, 1f, 0.9f, 0.1f, 0.5f, 0.3f, 0.6f, 0.7f, 0.8f];
        float[] g = [0f, 0.5f, 0.75f, 1f, 0.1f, 0.9f, 0.5f, 0.3f, 0.2f, 0.4f, 0.8f];
        float[] b = [0f, 0.9f, 0.75f, 1f, 0.5f, 0.5f, 0.0f, 0.3f, 0.1f, 0.0f, 0.8f];
        var (outR, outG, outB) = (new float[r.Length], new float[r.Length], new float[r.Length]);
        Hlg.Eotf(r, g, b, outR, outG, outB, 1500, 0.01);
        for (int i = 0; i < r.Length; i++)
        {
            var e = Hlg.Eotf(r[i], g[i], b[i], 1500, 0.01);
            Assert.Equal(e.R, outR[i], 1e-5 * e.R + 1e-5);
            Assert.Equal(e.G, outG[i], 1e-5 * e.G + 1e-5);
            Assert.Equal(e.B, outB[i], 1e-5 * e.B + 1e-5);
        }
    }

    [Fact]
    public void Spans_match_scalar() => SpanCheck.Matches(Hlg.Oetf, Hlg.Oetf, Hlg.InverseOetf, Hlg.InverseOetf, 1.0, 1e-6);

    [Theory]
    // ITU-R BT.2408 Table 1 read backwards through the PQ→HLG display-light conversion (1 000 cd/m² display):
    // PQ light of reference white (203 cd/m²) lands at HLG 75 %, 18 % grey (26 cd/m²) at 38 %, the peak at 100 %.
    [InlineData(203.0, 0.75, 0.002)]
    [InlineData(26.2, 0.38, 0.002)]
    [InlineData(1000.0, 1.0, 1e-6)]
    [InlineData(4000.0, 1.0, 1e-6)] // above the HLG display's peak: clipped
    [InlineData(0.0, 0.0, 0.0)]
    public void Pq_grey_lands_on_BT2408_HLG_levels(double cdm2, double hlg, double tolerance)
    {
        var frame = new RgbPlanarFrame(1, 1, Enumerable.Repeat((float)St2084.InverseEotf(cdm2), 3).ToArray());
        Hlg.FromPq(frame);
        Assert.All(frame.Data, v => Assert.Equal(hlg, v, tolerance));
    }

    [Fact]
    public void Pq_to_HLG_keeps_the_displayed_light_of_colours_below_the_peak()
    {
        // Saturated and pale colours at 0.5–900 cd/m²: an HLG display of 1 000 cd/m² shows what the PQ file asked for.
        double[][] lights = [[900, 20, 5], [0.5, 3, 40], [203, 203, 203], [120, 300, 60], [10, 10, 700]];
        var frame = new RgbPlanarFrame(lights.Length, 1);
        for (int i = 0; i < lights.Length; i++)
            for (int c = 0; c < 3; c++) frame.Data[c * lights.Length + i] = (float)St2084.InverseEotf(lights[i][c]);
        Hlg.FromPq(frame);
        for (int i = 0; i < lights.Length; i++)
        {
            var (r, g, b) = Hlg.Eotf(frame.Data[i], frame.Data[lights.Length + i], frame.Data[2 * lights.Length + i]);
            Assert.Equal(lights[i][0], r, 2e-3 * lights[i][0] + 1e-3);
            Assert.Equal(lights[i][1], g, 2e-3 * lights[i][1] + 1e-3);
            Assert.Equal(lights[i][2], b, 2e-3 * lights[i][2] + 1e-3);
        }
    }

    [Theory]
    [InlineData(0.2, 0.5, 0.1, 1000.0)]
    [InlineData(0.9, 0.9, 0.9, 1000.0)]
    [InlineData(0.01, 0.0, 0.3, 1500.0)]
    public void Inverse_OOTF_undoes_the_OOTF(double r, double g, double b, double lw)
    {
        var d = Hlg.Ootf(r, g, b, lw);
        var s = Hlg.InverseOotf(d.R, d.G, d.B, lw);
        Assert.Equal(r, s.R, 1e-12);
        Assert.Equal(g, s.G, 1e-12);
        Assert.Equal(b, s.B, 1e-12);
    }
}

/// <summary>Checks a SIMD span transform against its double scalar version on a ramp with edge values.</summary>
internal static class SpanCheck
{
    public delegate void SpanFn(ReadOnlySpan<float> source, Span<float> destination);

    public static void Matches(Func<double, double> forward, SpanFn forwardSpan, Func<double, double> inverse, SpanFn inverseSpan,
        double top, double relTol)
    {
        // 41 values: full vectors plus a scalar tail at any vector width; includes negative, NaN and above-top.
        var x = new float[41];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(top * i / 36.0);
        x[3] = -0.25f;
        x[4] = float.NaN;
        Check(forward, forwardSpan, x, relTol);
        var y = new float[x.Length];
        forwardSpan(x, y);
        Check(inverse, inverseSpan, y, relTol);
    }

    private static void Check(Func<double, double> scalar, SpanFn span, float[] x, double relTol)
    {
        var y = new float[x.Length];
        span(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            double e = scalar(x[i]);
            if (double.IsNaN(e)) { Assert.True(float.IsNaN(y[i]), $"[{i}] expected NaN"); continue; }
            Assert.True(Math.Abs(y[i] - e) <= relTol * Math.Abs(e) + 1e-7, $"[{i}] x={x[i]}: {y[i]} vs {e}");
        }
    }
}
