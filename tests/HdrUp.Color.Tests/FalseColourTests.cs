using HdrUp.Color;

namespace HdrUp.Color.Tests;

public class FalseColourTests
{
    // Band edges 1, 10, 100, 203, 400, 1000 cd/m²; an edge belongs to the band below, and 0.05 % past it still does.
    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.5, 0)]
    [InlineData(1.0, 0)]
    [InlineData(1.0004, 0)] // within the 0.05 % edge tolerance
    [InlineData(1.001, 1)]
    [InlineData(5.0, 1)]
    [InlineData(50.0, 2)]
    [InlineData(150.0, 3)]
    [InlineData(203.0, 3)]
    [InlineData(203.09, 3)]
    [InlineData(203.2, 4)]
    [InlineData(399.0, 4)]
    [InlineData(700.0, 5)]
    [InlineData(1000.0, 5)]
    [InlineData(1001.0, 6)]
    [InlineData(10000.0, 6)]
    [InlineData(-3.0, 0)]
    [InlineData(double.NaN, 0)]
    public void Lights_fall_in_the_stated_band(double nits, int band) => Assert.Equal(band, FalseColour.BandIndex(nits));

    [Fact]
    public void Bands_are_contiguous_with_the_stated_labels()
    {
        Assert.Equal(["< 1", "1–10", "10–100", "100–203", "203–400", "400–1000", "> 1000"], FalseColour.Bands.Select(b => b.Label));
        for (int i = 1; i < FalseColour.Bands.Count; i++)
            Assert.Equal(FalseColour.Bands[i - 1].Upper, FalseColour.Bands[i].Lower);
        Assert.Equal(FalseColour.Bands.Count, FalseColour.Bands.Select(b => (b.R, b.G, b.B)).Distinct().Count());
    }

    // SDR white placed by BT.2408 is 203 cd/m² in every channel, and BT.2020 luminance weights sum to 1, so Y = 203:
    // reference white, the top of the "100–203" band, even after rounding to a 16-bit PQ code (202.987 cd/m²).
    // SDR mid code 0.5 → BT.1886 γ 2.4: 203·0.5^2.4 = 38.461 cd/m² → "10–100". A pure BT.2020 green at 100 cd/m²
    // has Y = 0.6780·100 = 67.80 cd/m².
    [Theory]
    [InlineData(1.0, 203.0, 3)]
    [InlineData(0.5, 38.4613, 2)]
    public void Sdr_placed_by_BT2408_lands_in_the_expected_band(double code, double nits, int band)
    {
        var (r, g, b) = Bt2408.SdrToPq(code, code, code);
        double y = FalseColour.LuminanceFromPq(r, g, b);
        Assert.Equal(nits, y, 1e-3);
        Assert.Equal(band, FalseColour.BandIndex(y));
        double rounded = Math.Round(r * 65535) / 65535;
        Assert.Equal(band, FalseColour.BandIndex(FalseColour.LuminanceFromPq(rounded, rounded, rounded)));
    }

    [Fact]
    public void Luminance_uses_the_BT2020_weights()
    {
        double pq = St2084.InverseEotf(100);
        Assert.Equal(67.80, FalseColour.LuminanceFromPq(0, pq, 0), 1e-6);
        Assert.Equal(26.27, FalseColour.LuminanceFromPq(pq, 0, 0), 1e-6);
        Assert.Equal(5.93, FalseColour.LuminanceFromPq(0, 0, pq), 1e-6);
        Assert.True(FalseColour.IsAbove(203.2, 203) && !FalseColour.IsAbove(203.09, 203));
    }
}
