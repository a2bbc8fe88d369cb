using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Metrics;

namespace HdrUp.Metrics.Tests;

public class FlickerTests
{
    private static RgbPlanarFrame Uniform(float value)
    {
        var f = new RgbPlanarFrame(4, 4);
        Array.Fill(f.Data, value);
        return f;
    }

    // Frames 0.2, 0.3, 0.1: changes 0.1 and 0.2 → index 0.15. A still output against that truth has temporal
    // error 0.15 too; an output that follows the truth with an offset has error 0 and the same index.
    [Fact]
    public void Index_and_temporal_error_have_their_values_on_uniform_sequences()
    {
        var truth = new[] { Uniform(0.2f), Uniform(0.3f), Uniform(0.1f) };
        var still = new[] { Uniform(0.5f), Uniform(0.5f), Uniform(0.5f) };
        var follows = new[] { Uniform(0.25f), Uniform(0.35f), Uniform(0.15f) };
        Assert.Equal(0.15, Flicker.Index(truth), 6);
        Assert.Equal(0.0, Flicker.Index(still));
        Assert.Equal(0.15, Flicker.TemporalError(still, truth), 6);
        Assert.Equal(0.0, Flicker.TemporalError(follows, truth), 6);
        Assert.Equal(0.15, Flicker.Index(follows), 6);
    }

    [Fact]
    public void Short_or_mismatched_sequences_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Flicker.Index([Uniform(0)]));
        Assert.Throws<ArgumentException>(() => Flicker.TemporalError([Uniform(0), Uniform(0)], [Uniform(0), Uniform(0), Uniform(0)]));
        Assert.Throws<ArgumentException>(() => Flicker.Index([Uniform(0), new RgbPlanarFrame(2, 2)]));
    }
}
