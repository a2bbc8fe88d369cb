using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics.Tests;

public class ColourFidelityTests
{
    private static RgbPlanarFrame Pixels(params (float R, float G, float B)[] px)
    {
        var f = new RgbPlanarFrame(px.Length, 1);
        for (int i = 0; i < px.Length; i++)
        {
            f.Data[i] = px[i].R;
            f.Data[px.Length + i] = px[i].G;
            f.Data[2 * px.Length + i] = px[i].B;
        }
        return f;
    }

    // The hue angle and chroma of an SDR pixel as BT.2408 places it, and of a PQ pixel, straight from HdrUp.Color.
    private static (double Hue, double Chroma) Sdr((float R, float G, float B) p)
    {
        var (r, g, b) = Bt2408.SdrToPq(p.R, p.G, p.B);
        return HueAndChroma(Ictcp.FromPqBt2020(r, g, b));
    }

    private static (double Hue, double Chroma) Pq((float R, float G, float B) p) => HueAndChroma(Ictcp.FromPqBt2020(p.R, p.G, p.B));

    private static (double Hue, double Chroma) HueAndChroma(Ictcp c) => (Math.Atan2(c.Cp, c.Ct), Math.Sqrt(c.Ct * c.Ct + c.Cp * c.Cp));

    [Fact]
    public void The_BT2408_placement_of_the_input_has_no_drift_and_chroma_ratio_one()
    {
        var sdr = TestFrames.Lcg(16, 12, 5);
        var placed = new Bt2408SdrMapper().Map(sdr);
        var result = new ColourFidelityAccumulator().Add(sdr, placed);
        Assert.True(result.ChromaticPixels > 100, $"{result.ChromaticPixels} chromatic pixels of 192");
        Assert.Equal(0.0, result.HueDriftDegrees, 1e-4);
        Assert.Equal(1.0, result.ChromaRatio, 1e-6);
    }

    [Theory]
    [InlineData(170.0, -170.0, 20.0)] // across the ±180° seam
    [InlineData(10.0, 350.0, 20.0)]
    [InlineData(0.0, 180.0, 180.0)]
    [InlineData(-90.0, 90.0, 180.0)]
    [InlineData(30.0, 45.0, 15.0)]
    public void Hue_differences_wrap_to_at_most_180_degrees(double a, double b, double expected) =>
        Assert.Equal(expected, ColourFidelityAccumulator.HueDifferenceDegrees(a * Math.PI / 180, b * Math.PI / 180), 1e-9);

    [Fact]
    public void Drift_is_chroma_weighted_over_counted_pixels_of_all_frames()
    {
        // Frame 1: a saturated red whose output is a PQ orange; a grey (no hue: left out); a red with a clipped
        // channel (hue already lost: left out). Frame 2: a pale blue whose output is a PQ cyan-blue.
        (float, float, float) red = (0.8f, 0.2f, 0.15f), redOut = (0.62f, 0.45f, 0.30f);
        (float, float, float) grey = (0.5f, 0.5f, 0.5f), clipped = (1.0f, 0.2f, 0.1f), anything = (0.5f, 0.3f, 0.2f);
        (float, float, float) blue = (0.35f, 0.45f, 0.7f), blueOut = (0.45f, 0.55f, 0.6f);
        var acc = new ColourFidelityAccumulator();
        var first = acc.Add(Pixels(red, grey, clipped), Pixels(redOut, anything, anything));
        acc.Add(Pixels(blue), Pixels(blueOut));

        var (h1, c1) = Sdr(red);
        var (h2, c2) = Sdr(blue);
        double d1 = ColourFidelityAccumulator.HueDifferenceDegrees(h1, Pq(redOut).Hue);
        double d2 = ColourFidelityAccumulator.HueDifferenceDegrees(h2, Pq(blueOut).Hue);
        Assert.Equal(1, first.ChromaticPixels);
        Assert.Equal(d1, first.HueDriftDegrees, 1e-9);
        Assert.Equal(2, acc.Total.ChromaticPixels);
        Assert.Equal((c1 * d1 + c2 * d2) / (c1 + c2), acc.Total.HueDriftDegrees, 1e-9);
        Assert.Equal((Pq(redOut).Chroma + Pq(blueOut).Chroma) / (c1 + c2), acc.Total.ChromaRatio, 1e-9);
        // Both outputs really are off-hue (so the weighting matters) by a visible amount.
        Assert.True(d1 > 3 && d2 > 3, $"{d1:F2}°, {d2:F2}°");
    }

    [Fact]
    public void An_input_without_chromatic_unclipped_pixels_has_no_value()
    {
        var sdr = Pixels((0.5f, 0.5f, 0.5f), (1f, 0.3f, 0.3f), (0f, 0.5f, 0.6f));
        var result = new ColourFidelityAccumulator().Add(sdr, sdr);
        Assert.Equal(0, result.ChromaticPixels);
        Assert.True(double.IsNaN(result.HueDriftDegrees) && double.IsNaN(result.ChromaRatio));
    }

    [Fact]
    public void Frames_of_different_sizes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ColourFidelityAccumulator().Add(TestFrames.Lcg(4, 4, 1), TestFrames.Lcg(4, 5, 1)));
    }

    // Per-shot accumulators merged give the sums of one accumulator that saw every frame.
    [Fact]
    public void Merged_accumulators_equal_one_that_saw_every_frame()
    {
        var (a, b) = (TestFrames.Lcg(16, 12, 7), TestFrames.Lcg(16, 12, 8));
        var (pa, pb) = (new Bt2446AInverseMapper().Map(a), new Bt2446AInverseMapper().Map(b));
        var whole = new ColourFidelityAccumulator();
        whole.Add(a, pa);
        whole.Add(b, pb);
        var (first, second) = (new ColourFidelityAccumulator(), new ColourFidelityAccumulator());
        first.Add(a, pa);
        second.Add(b, pb);
        first.Merge(second);
        Assert.Equal(whole.Total.ChromaticPixels, first.Total.ChromaticPixels);
        Assert.Equal(whole.Total.HueDriftDegrees, first.Total.HueDriftDegrees, 1e-12);
        Assert.Equal(whole.Total.ChromaRatio, first.Total.ChromaRatio, 1e-12);
        Assert.True(whole.Total.HueDriftDegrees > 0.1, $"{whole.Total.HueDriftDegrees}° (BT.2446 A moves hues a little)");
    }
}
