using HdrUp.Core;

namespace HdrUp.Color.Tests;

public class HighlightRollOffTests
{
    [Theory]
    // Knee 400, peak 1000 (the dataset grading; docs/dataset.md): f(815.9) = 700, f(1000) = 400 + 600(1 − e^−1) = 779.27.
    [InlineData(400, 1000, 300, 300)]
    [InlineData(400, 1000, 815.888, 700.0)] // 400 + 600·ln 2 → exactly halfway to the peak
    [InlineData(400, 1000, 1000, 779.27)]
    [InlineData(400, 1000, 1e6, 1000)]
    // convert --peak 1000 (knee 750): f(1000) = 750 + 250(1 − e^−1) = 908.03; the sample's old MaxCLL 2814 → 999.94.
    [InlineData(750, 1000, 1000, 908.03)]
    [InlineData(750, 1000, 2814, 999.94)]
    public void Curve_values(double knee, double peak, double x, double expected) =>
        Assert.Equal(expected, HighlightRollOff.Apply(x, knee, peak), 2);

    [Fact]
    public void Curve_is_continuous_with_slope_one_at_the_knee_and_stays_below_the_peak()
    {
        double below = HighlightRollOff.Apply(749.999, 750, 1000), above = HighlightRollOff.Apply(750.001, 750, 1000);
        Assert.Equal(0.002, above - below, 6);
        Assert.True(HighlightRollOff.Apply(2000, 750, 1000) < 1000);
        Assert.True(HighlightRollOff.Apply(10000, 750, 1000) <= 1000); // e^−37 is below double's resolution at 1000
        Assert.Equal(0.0, HighlightRollOff.Apply(double.NaN, 750, 1000));
        Assert.Equal(0.0, HighlightRollOff.Apply(-5, 750, 1000));
    }

    [Fact]
    public void Frames_keep_their_channel_ratios_and_light_below_the_knee()
    {
        // One pixel at 2000/1000/500 cd/m² (above the knee), one at 100/50/25 (below it).
        var pq = new RgbPlanarFrame(2, 1, [
            (float)St2084.InverseEotf(2000), (float)St2084.InverseEotf(100),
            (float)St2084.InverseEotf(1000), (float)St2084.InverseEotf(50),
            (float)St2084.InverseEotf(500), (float)St2084.InverseEotf(25)]);
        var limited = HighlightRollOff.ApplyToPq(pq, 750, 1000);
        double r = St2084.Eotf(limited.Data[0]), g = St2084.Eotf(limited.Data[2]), b = St2084.Eotf(limited.Data[4]);
        Assert.Equal(HighlightRollOff.Apply(2000, 750, 1000), r, 0.05);
        Assert.Equal(0.5, g / r, 4);
        Assert.Equal(0.25, b / r, 4);
        Assert.Equal(pq.Data[1], limited.Data[1]);
        Assert.Equal(pq.Data[5], limited.Data[5]);
    }
}
