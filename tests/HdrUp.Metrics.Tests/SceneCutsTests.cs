using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics.Tests;

public class SceneCutsTests
{
    private static RgbPlanarFrame Flat(int width, int height, float r, float g, float b)
    {
        var f = new RgbPlanarFrame(width, height);
        f.Plane(0).Fill(r);
        f.Plane(1).Fill(g);
        f.Plane(2).Fill(b);
        return f;
    }

    // Flat red to flat green: every block's Y′ moves from 0.2126 to 0.7152 (|Δ| = 0.5026) and every pixel changes
    // histogram bin (score 1): a cut. The same frame again scores 0 on both.
    [Fact]
    public void A_change_of_flat_colour_is_a_cut_and_a_repeat_is_not()
    {
        var cuts = new SceneCuts();
        Assert.False(cuts.Add(Flat(64, 36, 1, 0, 0)));
        Assert.True(double.IsNaN(cuts.LastBlockScore));
        Assert.True(cuts.Add(Flat(64, 36, 0, 1, 0)));
        Assert.Equal(0.5026, cuts.LastBlockScore, 1e-6);
        Assert.Equal(1.0, cuts.LastHistogramScore, 1e-12);
        Assert.False(cuts.Add(Flat(64, 36, 0, 1, 0)));
        Assert.Equal(0.0, cuts.LastBlockScore);
        Assert.Equal(0.0, cuts.LastHistogramScore);
    }

    // Motion moves pixels but keeps their levels: a bright left half that moves to the right changes every block
    // (block score 1) but not the histogram (score 0), so it is not a cut; that is why both scores must agree.
    [Fact]
    public void Motion_that_keeps_the_levels_is_not_a_cut()
    {
        RgbPlanarFrame Halves(bool brightLeft)
        {
            var f = new RgbPlanarFrame(64, 36);
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 36; y++)
                    for (int x = 0; x < 64; x++)
                        f[c, y, x] = (x < 32) == brightLeft ? 1f : 0f;
            return f;
        }
        var cuts = new SceneCuts();
        cuts.Add(Halves(true));
        Assert.False(cuts.Add(Halves(false)));
        Assert.Equal(1.0, cuts.LastBlockScore, 1e-12);
        Assert.Equal(0.0, cuts.LastHistogramScore, 1e-12);
    }

    // A small change of exposure (Y′ 0.50 → 0.56, bin 16 → 17) moves every pixel's bin but the picture's blocks only by 0.06: no cut.
    [Fact]
    public void A_small_change_of_level_is_not_a_cut()
    {
        var cuts = new SceneCuts();
        cuts.Add(Flat(40, 30, 0.50f, 0.50f, 0.50f));
        Assert.False(cuts.Add(Flat(40, 30, 0.56f, 0.56f, 0.56f)));
        Assert.Equal(0.06, cuts.LastBlockScore, 1e-6);
        Assert.Equal(1.0, cuts.LastHistogramScore, 1e-12);
    }

    // Frames smaller than the 32×18 grid still give one mean per block (pixels repeat across blocks).
    [Fact]
    public void Tiny_frames_have_a_full_grid()
    {
        var grid = SceneCuts.Grid(Flat(8, 6, 0, 0, 1));
        Assert.Equal(SceneCuts.GridWidth * SceneCuts.GridHeight, grid.Length);
        Assert.All(grid, v => Assert.Equal(0.0722, v, 1e-6));
    }
}
