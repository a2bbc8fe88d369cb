using HdrUp.Bench.Plots;
using ScottPlot;
using static HdrUp.Training.Tests.Train.ChartPixels;

namespace HdrUp.Bench.Tests.Plots;

public class ScatterPlotTests
{
    // 0.5 s / 26 dB, 1 s / 27 dB and 8 s / 28 dB are the front; 2 s / 26.5 dB is beaten by 1 s / 27 dB. On the log₂
    // axis they sit at −1, 0, 1 and 3: the axis spans −1.5 … 3.5 (whole powers around the data, half a step beyond),
    // PSNR 25 … 29 dB (whole dB half a dB beyond).
    private static readonly ScatterPoint[] Points =
        [new(0.5, 26.0, "1 fast"), new(1.0, 27.0, "2 kpnet, \"v2\""), new(2.0, 26.5, "3 slower"), new(8.0, 28.0, "4 kpnet (shipped)")];

    [Fact]
    public void Front_is_every_point_no_other_beats_in_speed_and_quality()
    {
        Assert.Equal(["1 fast", "2 kpnet, \"v2\"", "4 kpnet (shipped)"], ScatterPlot.Front(Points).Select(p => p.Label));
    }

    [Fact]
    public void Scatter_png_has_a_title_a_legend_and_each_point_where_its_data_puts_it()
    {
        var plot = ScatterPlot.Build(Points, "Speed against quality", "seconds per frame (log₂ scale)", "PSNR (dB)");
        using var stream = new MemoryStream();
        ScatterPlot.Save(stream, Points, "Speed against quality", "seconds per frame (log₂ scale)", "PSNR (dB)");
        byte[] png = plot.GetImageBytes(ScatterPlot.Width, ScatterPlot.Height, ImageFormat.Png);
        Assert.Equal(stream.ToArray(), png);
        using var image = Decode(png);
        Assert.Equal((ScatterPlot.Width, ScatterPlot.Height), (image.Width, image.Height));

        var data = plot.RenderManager.LastRender.DataRect;
        Assert.InRange(TextPixels(image, new PixelRect(data.Left, data.Right, data.Top - 28, data.Top - 2)), 60, int.MaxValue);
        // The legend is the strip under the x axis title.
        var legend = plot.Legend.LastRenderSize;
        var strip = new PixelRect(0, image.Width, image.Height - legend.Height - 10, image.Height);
        Assert.InRange(TextPixels(image, strip), 200, int.MaxValue);
        Assert.True(HasColourNear(image, image.Width / 2.0, strip.Top + legend.Height / 2 + 5, image.Width / 2, Rgb(ScatterPlot.FrontColour)));
        Assert.True(HasColourNear(image, image.Width / 2.0, strip.Top + legend.Height / 2 + 5, image.Width / 2, Rgb(ScatterPlot.OtherColour)));

        foreach (var p in Points)
        {
            double x = data.Left + data.Width * (Math.Log2(p.X) + 1.5) / 5;
            double y = data.Bottom - data.Height * (p.Y - 25) / 4;
            var colour = p.Label == "3 slower" ? ScatterPlot.OtherColour : ScatterPlot.FrontColour;
            Assert.True(HasColourNear(image, x, y, 2, Rgb(colour)), $"{p.Label}: no marker at ({x:F0}, {y:F0})");
            // Its label, in dark grey: below right of the points in the left half of the axis, above left in the right half.
            float d = Math.Log2(p.X) <= 1 ? 1 : -1, near = d * ScatterPlot.LabelOffset, far = d * 50;
            var beside = new PixelRect((float)x + Math.Min(near, far), (float)x + Math.Max(near, far), (float)y + Math.Min(near, d * 20), (float)y + Math.Max(near, d * 20));
            Assert.InRange(TextPixels(image, beside), 20, int.MaxValue);
        }
    }
}
