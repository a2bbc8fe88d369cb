using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Media.Tests;

public class ContentLightLevelTests
{
    // Code values come from HdrUp.Color's St2084.InverseEotf (tested there against published values,
    // e.g. 100 cd/m² → 0.508078421517399); the accumulator must give the light back.
    private static float Pq(double nits) => (float)St2084.InverseEotf(nits);

    private static RgbPlanarFrame Uniform(double nits, int w = 8, int h = 4)
    {
        var frame = new RgbPlanarFrame(w, h);
        frame.Data.AsSpan().Fill(Pq(nits));
        return frame;
    }

    [Fact]
    public void Uniform_frame_has_equal_maxcll_and_maxfall()
    {
        Assert.Equal(new ContentLightLevel(100, 100), ContentLightLevelAccumulator.Measure([Uniform(100)]));
    }

    [Fact]
    public void Brightest_channel_counts_and_averages_are_per_frame()
    {
        // Frame A: half the pixels pure green at 1000 cd/m² (R = B = 0), half black → max 1000, mean 500.
        var a = new RgbPlanarFrame(8, 4);
        for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++)
            a[1, y, x] = Pq(1000);
        // Frame B: uniform 203 cd/m² (BT.2408 HDR reference white) → its mean 203 < 500.
        var accumulator = new ContentLightLevelAccumulator();
        accumulator.Add(a);
        accumulator.Add(Uniform(203));

        Assert.Equal(2, accumulator.FrameCount);
        Assert.Equal(1000, accumulator.MaxCll, 1e-6 * 1000 * 10);
        Assert.Equal(new ContentLightLevel(1000, 500), accumulator.Result);
        Assert.Equal("1000,500", accumulator.Result.ToX265());
    }

    [Fact]
    public void Persisted_state_continues()
    {
        // As if frames 1–2 of the test above had been measured in an earlier run.
        var resumed = new ContentLightLevelAccumulator(maxCll: 1000, maxFall: 500, frameCount: 2);
        resumed.Add(Uniform(600));

        Assert.Equal(3, resumed.FrameCount);
        Assert.Equal(new ContentLightLevel(1000, 600), resumed.Result);
    }

    [Fact]
    public void Black_programme_signals_zero_and_out_of_range_is_clamped()
    {
        Assert.Equal(new ContentLightLevel(0, 0), ContentLightLevelAccumulator.Measure([Uniform(0)]));
        var hot = new RgbPlanarFrame(2, 2);
        hot.Data.AsSpan().Fill(1.5f); // above the PQ peak: clamped to 10 000 cd/m² by St2084
        Assert.Equal(new ContentLightLevel(10000, 10000), ContentLightLevelAccumulator.Measure([hot]));
    }
}
