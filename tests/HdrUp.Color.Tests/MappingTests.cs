using HdrUp.Core;

namespace HdrUp.Color.Tests;

public class Bt2408Tests
{
    [Fact]
    public void Sdr_white_lands_on_reference_white()
    {
        // BT.2408 Table 1: HDR reference white 203 cd/m² = PQ 58 % (0.5807 to 4 decimals).
        var (r, g, b) = Bt2408.SdrToPq(1, 1, 1);
        Assert.Equal(0.5807, r, 4);
        Assert.Equal(r, g, 1e-12);
        Assert.Equal(r, b, 1e-12);
        Assert.Equal(203.0, St2084.Eotf(r), 1e-9);
    }

    [Fact]
    public void Black_mid_grey_and_red()
    {
        Assert.Equal(St2084.InverseEotf(0), Bt2408.SdrToPq(0, 0, 0).R, 1e-15);
        // SDR 0.5 → 203·0.5^2.4 = 38.461 cd/m² (BT.1886 with Lw = 203).
        Assert.Equal(203 * Math.Pow(0.5, 2.4), St2084.Eotf(Bt2408.SdrToPq(0.5, 0.5, 0.5).G), 1e-9);
        // Pure BT.709 red becomes the BT.2087 first column in BT.2020: 0.6274, 0.0691, 0.0164 of 203 cd/m².
        var red = Bt2408.SdrToPq(1, 0, 0);
        Assert.Equal(0.6274 * 203, St2084.Eotf(red.R), 0.0001 * 203);
        Assert.Equal(0.0691 * 203, St2084.Eotf(red.G), 0.0001 * 203);
        Assert.Equal(0.0164 * 203, St2084.Eotf(red.B), 0.0001 * 203);
    }

    [Fact]
    public void Frame_mapper_matches_pixel_function()
    {
        var input = TestFrames.Ramp(13, 5);
        var output = new Bt2408SdrMapper().Map(input);
        TestFrames.AssertMatches(input, output, (r, g, b) => Bt2408.SdrToPq(r, g, b), 2e-6);
        Assert.Equal("bt2408", new Bt2408SdrMapper().Name);
    }
}

public class Bt2446ATests
{
    [Fact]
    public void Inverse_maps_sdr_white_to_1000_nits()
    {
        // BT.2446-1 Table 4: Y′_HDR spans [0, 1000]; 255^E(255) = 999.80 with the published a2, b2, c2.
        Assert.Equal(999.80, Bt2446A.ExpandLuma(1.0), 0.01);
        var (r, g, b) = Bt2446A.InverseToneMap(1, 1, 1);
        Assert.Equal(1000.0, r, 0.5); // 1000·(999.80/1000)^2.4 = 999.52
        Assert.Equal(r, g, 1e-9);
        Assert.Equal(r, b, 1e-9);
        // ST 2084 of ≈1000 cd/m²: 0.7518 to 4 decimals (as in St2084Tests).
        Assert.Equal(0.7518, Bt2446A.SdrToPq(1, 1, 1).R, 4);
    }

    [Fact]
    public void Inverse_black_is_zero_and_luma_is_monotonic()
    {
        Assert.Equal(0.0, Bt2446A.InverseToneMap(0, 0, 0).G, 0.0);
        Assert.Equal(0.0, Bt2446A.ExpandLuma(-0.1), 0.0);
        double previous = -1;
        for (int i = 0; i <= 1000; i++)
        {
            double v = Bt2446A.ExpandLuma(i / 1000.0);
            Assert.True(v > previous, $"not increasing at {i / 1000.0}");
            previous = v;
        }
        // The two exponent segments meet at T = 70 within 0.02 %: E1(70) = 1.2141, E2(70) = 1.2144.
        Assert.Equal(Bt2446A.ExpandLuma(70 / 255.0 - 1e-9), Bt2446A.ExpandLuma(70 / 255.0 + 1e-9), 0.0002 * Bt2446A.ExpandLuma(70 / 255.0));
    }

    [Fact]
    public void Forward_maps_peak_to_sdr_white_and_black_to_black()
    {
        // §4.2: Y′ = 1 → Y′_p = 1 → knee 0.5 + 0.5 = 1 → Y′_SDR = 1, with no chroma for a neutral.
        var (r, g, b) = Bt2446A.ToneMap(1000, 1000, 1000);
        Assert.Equal(1.0, r, 1e-12);
        Assert.Equal(1.0, g, 1e-12);
        Assert.Equal(1.0, b, 1e-12);
        Assert.Equal((0.0, 0.0, 0.0), Bt2446A.ToneMap(0, 0, 0));
        double previous = -1;
        for (double l = 0.5; l <= 1000; l *= 1.2)
        {
            double v = Bt2446A.ToneMap(l, l, l).G;
            Assert.True(v > previous, $"not increasing at {l}");
            previous = v;
        }
    }

    [Fact]
    public void Frame_mapper_matches_pixel_function_and_forward_frame_runs()
    {
        var input = TestFrames.Ramp(11, 4);
        var mapper = new Bt2446AInverseMapper();
        var hdr = mapper.Map(input);
        TestFrames.AssertMatches(input, hdr, Bt2446A.SdrToPq, 1e-6);
        var sdr = Bt2446A.ToSdr(hdr);
        // Round trip through two different published curves is not an identity; SDR white survives.
        Assert.Equal(1.0, sdr[1, 3, 10], 1e-3);
        Assert.Equal(0.0, sdr[1, 0, 0], 1e-3);
    }
}

public class Bt2446CTests
{
    [Theory]
    // BT.2446-1 §6.1.4 design points (HLG at 1 000 cd/m², SDR BT.1886 at 100 cd/m²):
    // HDR reference white 203 cd/m² (75 % HLG) → SDR 96 %; skin 50 % HLG (50.697 cd/m², by the
    // BT.2100 HLG EOTF) → SDR 70 %; the inflection 58.5/k1 cd/m² → SDR 80 %. The k's are published to
    // 5 decimals, hence 1e-3.
    [InlineData(203.0, 0.96)]
    [InlineData(50.697, 0.70)]
    [InlineData(Bt2446C.HdrInflection, 0.80)]
    public void Neutral_design_points(double cdm2, double sdr)
    {
        var (r, g, b) = Bt2446C.ToSdr(cdm2, cdm2, cdm2);
        Assert.Equal(sdr, r, 1e-3);
        Assert.Equal(r, g, 1e-9);
        Assert.Equal(r, b, 1e-9);
    }

    [Fact]
    public void Tone_curve_values()
    {
        // k2·ln(1000/Y_ip − k3) + k4 = 118.39 cd/m² at 1 000 cd/m² (hand-computed from equation 7).
        Assert.Equal(118.3868, Bt2446C.ToneCurve(1000), 1e-3);
        Assert.Equal(0.0, Bt2446C.ToneCurve(0), 0.0);
        Assert.Equal(0.0, Bt2446C.ToneCurve(-3), 0.0);
        // The published k's make the two pieces meet to 0.035 cd/m² (58.5 vs 58.535).
        Assert.Equal(58.5, Bt2446C.ToneCurve(Bt2446C.HdrInflection - 1e-9), 1e-6);
        Assert.Equal(58.535, Bt2446C.ToneCurve(Bt2446C.HdrInflection), 1e-3);
        double previous = -1;
        for (double l = 0.01; l <= 10000; l *= 1.1)
        {
            double v = Bt2446C.ToneCurve(l);
            Assert.True(v > previous, $"not increasing at {l}");
            previous = v;
        }
    }

    [Fact]
    public void Black_peak_and_crosstalk_edges()
    {
        Assert.Equal((0.0, 0.0, 0.0), Bt2446C.ToSdr(0, 0, 0));
        Assert.Equal((0.0, 0.0, 0.0), Bt2446C.ToSdr(-5, -5, -5));
        Assert.Equal(1.0, Bt2446C.ToSdr(1000, 1000, 1000).G, 1e-12); // 118 cd/m² clipped to SDR white
        Assert.Throws<ArgumentOutOfRangeException>(() => Bt2446C.ToSdr(1, 1, 1, alpha: 0.4));
        // Crosstalk rows sum to 1, so neutrals do not depend on α.
        Assert.Equal(Bt2446C.ToSdr(150, 150, 150, alpha: 0).G, Bt2446C.ToSdr(150, 150, 150, alpha: 0.3).G, 1e-12);
        // The tone curve sees Y_α = (1 − 3α)·Y + α·(R + G + B). For (150, 100, 60) cd/m², Y = 110.8 is above
        // the component mean 103.3, so α = 0.2 feeds it a lower luminance (106.3), compresses less, and the
        // (unclipped) BT.709 green comes out brighter.
        double g0 = Bt2446C.ToSdr(150, 100, 60, alpha: 0).G, g2 = Bt2446C.ToSdr(150, 100, 60, alpha: 0.2).G;
        Assert.True(g0 < g2 && g2 < 1, $"{g0} !< {g2}");
    }

    [Fact]
    public void Frame_from_pq_and_linear_agree()
    {
        var pq = TestFrames.Ramp(9, 3);
        var linear = pq.Clone();
        St2084.Eotf(linear.Data, linear.Data);
        var a = Bt2446C.ToSdr(pq);
        var b = Bt2446C.ToSdr(linear, HdrEncoding.LinearCdm2);
        for (int i = 0; i < a.Data.Length; i++)
            Assert.Equal(a.Data[i], b.Data[i], 1e-5);
        // A PQ 0.5807 neutral (203 cd/m²) → SDR 96 %.
        var grey = new RgbPlanarFrame(1, 1, [0.5807f, 0.5807f, 0.5807f]);
        Assert.Equal(0.96, Bt2446C.ToSdr(grey)[0, 0, 0], 1e-3);
    }

    [Fact]
    public void Large_frame_takes_the_parallel_path_and_matches_pixels()
    {
        var frame = TestFrames.Ramp(640, 420); // 268 800 pixels, above the parallel threshold
        var sdr = Bt2446C.ToSdr(frame);
        for (int i = 0; i < frame.PixelCount; i += 9973)
        {
            int n = frame.PixelCount;
            var e = Bt2446C.ToSdr(St2084.Eotf(frame.Data[i]), St2084.Eotf(frame.Data[n + i]), St2084.Eotf(frame.Data[2 * n + i]));
            Assert.Equal(e.R, sdr.Data[i], 1e-6);
            Assert.Equal(e.G, sdr.Data[n + i], 1e-6);
            Assert.Equal(e.B, sdr.Data[2 * n + i], 1e-6);
        }
        Assert.Throws<OperationCanceledException>(() => Bt2446C.ToSdr(frame, cancellationToken: new CancellationToken(true)));
    }
}

internal static class TestFrames
{
    /// <summary>Channels ramp in different directions so that neutrals, saturated colours, 0 and 1 all occur.</summary>
    public static RgbPlanarFrame Ramp(int width, int height)
    {
        var f = new RgbPlanarFrame(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float t = (float)x / (width - 1);
                f[0, y, x] = t;
                f[1, y, x] = y == 0 || y == height - 1 ? t : 1 - t;
                f[2, y, x] = y == 0 || y == height - 1 ? t : (float)y / (height - 1);
            }
        return f;
    }

    public static void AssertMatches(RgbPlanarFrame input, RgbPlanarFrame output, Func<double, double, double, (double, double, double)> pixel, double tolerance)
    {
        Assert.Equal(input.Width, output.Width);
        Assert.Equal(input.Height, output.Height);
        for (int y = 0; y < input.Height; y++)
            for (int x = 0; x < input.Width; x++)
            {
                var (r, g, b) = pixel(input[0, y, x], input[1, y, x], input[2, y, x]);
                Assert.Equal(r, output[0, y, x], tolerance);
                Assert.Equal(g, output[1, y, x], tolerance);
                Assert.Equal(b, output[2, y, x], tolerance);
            }
    }
}
