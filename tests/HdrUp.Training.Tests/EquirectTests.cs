using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Training.Dataset;

namespace HdrUp.Training.Tests;

public class EquirectTests
{
    /// <summary>A panorama whose R value is its column index and G its row index, so a sample tells where it came from.</summary>
    private static RgbPlanarFrame Ramp(int w, int h)
    {
        var f = new RgbPlanarFrame(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                f[0, y, x] = x;
                f[1, y, x] = y;
            }
        return f;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(30.0)]
    [InlineData(90.0)]
    [InlineData(-120.0)]
    public void Centre_pixel_samples_the_column_of_the_yaw(double yaw)
    {
        // Odd view size: the centre pixel's ray is the optical axis exactly. Column of yaw θ with
        // longitude −180…180 left to right and pixel centres at u + 0.5: u = W·(θ + 180)/360 − 0.5.
        var pano = Ramp(360, 180);
        var view = Equirect.RenderView(pano, new ViewSpec(yaw, 0, 90), 9, 9);
        double expected = Equirect.ColumnOfYaw(yaw, 360);
        Assert.Equal(expected, view[0, 4, 4], 3);
        // Pitch 0 looks at the equator, between rows 89 and 90.
        Assert.Equal(89.5, view[1, 4, 4], 3);
    }

    [Fact]
    public void Pitch_moves_the_centre_to_the_latitude_row()
    {
        // Latitude φ is at row H·(90 − φ)/180 − 0.5: φ = 30° → 59.5 on a 180-row panorama.
        var view = Equirect.RenderView(Ramp(360, 180), new ViewSpec(0, 30, 60), 9, 9);
        Assert.Equal(59.5, view[1, 4, 4], 3);
    }

    [Fact]
    public void Horizon_row_is_a_straight_line_and_the_field_of_view_spans_the_expected_columns()
    {
        // At pitch 0 the horizon maps to the middle row of the view; a 90° view spans ±45° of
        // longitude: the edge pixel centres are at atan((±(W/2 − 0.5))/(W/2)) from the axis.
        var pano = Ramp(720, 360);
        var view = Equirect.RenderView(pano, new ViewSpec(0, 0, 90), 65, 65);
        for (int x = 0; x < 65; x++) Assert.Equal(179.5, view[1, 32, x], 3);
        double edge = Math.Atan(32.0 / 32.5) * 180 / Math.PI;
        Assert.Equal(720 * (180 + edge) / 360 - 0.5, view[0, 32, 64], 2);
        Assert.Equal(720 * (180 - edge) / 360 - 0.5, view[0, 32, 0], 2);
    }

    [Fact]
    public void Wraps_around_the_seam()
    {
        // Yaw 180 looks at the seam (column −0.5 ≡ W − 0.5): bilinear between the last and first column.
        var pano = new RgbPlanarFrame(8, 4);
        for (int y = 0; y < 4; y++)
        {
            pano[2, y, 0] = 10;
            pano[2, y, 7] = 30;
        }
        var view = Equirect.RenderView(pano, new ViewSpec(180, 0, 10), 1, 1);
        Assert.Equal(20, view[2, 0, 0], 3);
    }
}
