using HdrUp.Color;

namespace HdrUp.Color.Tests;

public class SdrPreviewTests
{
    // Neutral greys stay neutral (BT.2020 → BT.709 maps D65 white to itself). With W = 1000/203:
    // 203 cd/m² → L = 1 → (1 + 1/W²)/2 = 0.520605 → ^(1/2.4) = 0.761865; 1000 cd/m² → exactly 1; 0 → 0.
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(203.0, 0.761865)]
    [InlineData(1000.0, 1.0)]
    [InlineData(4000.0, 1.0)]
    public void Neutral_luminance_maps_to_the_stated_display_value(double nits, double expected)
    {
        double pq = St2084.InverseEotf(nits);
        var (r, g, b) = SdrPreview.FromPq(pq, pq, pq);
        Assert.Equal(expected, r, 1e-5);
        Assert.Equal(expected, g, 1e-5);
        Assert.Equal(expected, b, 1e-5);
    }

    // A BT.2020 green outside BT.709 has negative red and blue after conversion: they clip to 0, green stays.
    [Fact]
    public void Out_of_gamut_bt2020_green_clips_to_a_valid_display_value()
    {
        double pq = St2084.InverseEotf(100);
        var (r, g, b) = SdrPreview.FromPq(0, pq, 0);
        Assert.Equal(0, r);
        Assert.Equal(0, b);
        Assert.InRange(g, 0.5, 1.0);
    }
}
