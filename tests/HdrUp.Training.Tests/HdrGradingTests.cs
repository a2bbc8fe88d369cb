using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Training.Dataset;

namespace HdrUp.Training.Tests;

public class HdrGradingTests
{
    [Theory]
    // Below the knee the curve is the identity (HdrGrading: x ≤ 400 cd/m²).
    [InlineData(0.0, 0.0)]
    [InlineData(26.0, 26.0)]
    [InlineData(400.0, 400.0)]
    // knee + (peak − knee)(1 − e^(−(x − knee)/(peak − knee))) with knee 400, peak 1000:
    // x = 400 + 600·ln 2 ≈ 815.89 → 400 + 600·0.5 = 700 exactly.
    [InlineData(815.88830833596715, 700.0)]
    // x = 1000 → 400 + 600(1 − e^−1) = 779.27233530 (e^−1 = 0.36787944117).
    [InlineData(1000.0, 779.2723353)]
    // x = 10⁶ (a sun): e^(−1666) underflows, the asymptote 1000.
    [InlineData(1e6, 1000.0)]
    public void RollOff_known_points(double x, double expected) =>
        Assert.Equal(expected, HdrGrading.RollOff(x), 1e-6);

    [Fact]
    public void RollOff_is_monotone_continuous_and_never_above_the_mastering_peak()
    {
        double previous = -1;
        for (double x = 0; x < 1e5; x = x * 1.01 + 0.1)
        {
            double y = HdrGrading.RollOff(x);
            // Strictly increasing while double resolution allows; far up the shoulder 600·e^−(x−400)/600
            // drops below one ulp of 1000 and consecutive values may be equal.
            if (x < 10000) Assert.True(y > previous, $"not increasing at {x}");
            else Assert.True(y >= previous, $"decreasing at {x}");
            Assert.True(y <= HdrGrading.MasteringPeak);
            previous = y;
        }
        // Slope 1 on both sides of the knee: no visible kink in gradients.
        double h = 1e-4;
        Assert.Equal(1.0, (HdrGrading.RollOff(HdrGrading.Knee + h) - HdrGrading.RollOff(HdrGrading.Knee)) / h, 1e-4);
        Assert.Equal(0.0, HdrGrading.RollOff(-5));
        Assert.Equal(0.0, HdrGrading.RollOff(double.NaN));
    }

    [Fact]
    public void Exposure_puts_the_median_at_26_nits_and_highlights_land_at_PQ_of_the_roll_off()
    {
        // A grey frame of 9 pixels at relative level 0.5 with one pixel 10⁵ times brighter:
        // median 0.5 → gain 52; the bright pixel is 2.6·10⁶ cd/m² → rolled off to 1000 cd/m².
        var f = new RgbPlanarFrame(3, 3);
        Array.Fill(f.Data, 0.5f);
        for (int c = 0; c < 3; c++) f[c, 1, 1] = 50000f;
        double gain = HdrGrading.ExposureGain(f, "test");
        Assert.Equal(52.0, gain, 1e-9);

        var pq = HdrGrading.ToPqBt2020(f, gain);
        // ST 2084 inverse EOTF of 1000 cd/m² = 0.7518 (BT.2408 Table 1); a neutral stays neutral in BT.2020.
        for (int c = 0; c < 3; c++) Assert.Equal(0.7518, pq[c, 1, 1], 4);
        // 26 cd/m² → PQ 0.3800 (ST 2084 inverse EOTF; BT.2408 Table 1 lists 38 % for the 18 % grey card).
        Assert.Equal(St2084.InverseEotf(26.0), pq[0, 0, 0], 5);
        Assert.Equal(0.380, pq[1, 0, 0], 3);
    }

    [Fact]
    public void Saturated_highlights_stay_within_the_mastering_peak_in_every_BT2020_channel()
    {
        // Pure BT.709 red at 10⁴ cd/m²: the roll-off acts on max(R, G, B), and BT.709→BT.2020 rows
        // are convex combinations, so every output channel is ≤ 1000 cd/m², i.e. PQ ≤ 0.7518.
        var f = new RgbPlanarFrame(1, 1, [10000f, 0f, 0f]);
        var pq = HdrGrading.ToPqBt2020(f, 1.0);
        for (int c = 0; c < 3; c++) Assert.True(pq.Data[c] <= St2084.InverseEotf(1000.0) + 1e-6);
        Assert.True(pq.Data[0] > pq.Data[1] && pq.Data[0] > pq.Data[2]);
    }

    [Fact]
    public void Black_image_cannot_be_exposed()
    {
        var ex = Assert.Throws<InvalidDataException>(() => HdrGrading.ExposureGain(new RgbPlanarFrame(4, 4), "black.exr"));
        Assert.Contains("black.exr", ex.Message);
    }
}
