using HdrUp.Training.Train;
using ScottPlot;
using static HdrUp.Training.Tests.Train.ChartPixels;

namespace HdrUp.Training.Tests.Train;

public sealed class CurvePlotTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hdrup-curves-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    // 50 loss rows falling from 0.476 to 0.041 (so the log axis spans 10^-2 … 10^0) and 5 validation rows.
    private static List<LogRow> Rows()
    {
        var rows = new List<LogRow>();
        for (int it = 10; it <= 500; it += 10)
        {
            rows.Add(new LogRow(it, 0.5 * Math.Exp(-it / 200.0), 1e-4, null, null, it * 0.1));
            if (it % 100 == 0) rows.Add(new LogRow(it, null, null, 20 + it / 100.0, 40 - it / 50.0, it * 0.1));
        }
        return rows;
    }

    [Fact]
    public void Train_curves_png_has_titles_legends_and_the_loss_on_a_log_axis()
    {
        var rows = Rows();
        string path = Path.Combine(dir, "train_curves.png");
        CurvePlot.Save(path, rows);
        using var saved = Decode(File.ReadAllBytes(path));
        Assert.Equal((CurvePlot.Width, CurvePlot.Height), (saved.Width, saved.Height));

        // Rendered again to read ScottPlot's layout (where the data areas and legends ended up); same bytes as the file.
        var multiplot = CurvePlot.Build(rows);
        using var rendered = multiplot.Render(CurvePlot.Width, CurvePlot.Height);
        Assert.Equal(File.ReadAllBytes(path), rendered.GetImageBytes(ImageFormat.Png));
        Plot loss = multiplot.GetPlot(0), validation = multiplot.GetPlot(1);

        foreach (var (plot, colours) in new[] { (loss, new[] { CurvePlot.LossColour }), (validation, new[] { CurvePlot.PsnrColour, CurvePlot.DeltaEColour }) })
        {
            var data = plot.RenderManager.LastRender.DataRect;
            // The title is the text straight above the data area; the legend sits in its upper right corner.
            var title = new PixelRect(data.Left, data.Right, data.Top - 28, data.Top - 2);
            Assert.InRange(TextPixels(saved, title), 60, int.MaxValue);
            var size = plot.Legend.LastRenderSize;
            var legend = new PixelRect(data.Right - size.Width - 15, data.Right, data.Top, data.Top + size.Height + 15);
            Assert.InRange(TextPixels(saved, legend), 150, int.MaxValue);
            foreach (var colour in colours)
                Assert.True(HasColourNear(saved, (legend.Left + legend.Right) / 2, (legend.Top + legend.Bottom) / 2, (int)legend.Width / 2, Rgb(colour)));
        }

        // Loss 10^-2 at the bottom of the data area, 10^0 at the top: a value's height is its log10 between them.
        var area = loss.RenderManager.LastRender.DataRect;
        foreach (var r in rows.Where(r => r.Loss is not null).Where((_, i) => i % 7 == 0))
        {
            double x = area.Left + area.Width * r.Iteration / 500.0;
            double y = area.Bottom - area.Height * (Math.Log10(r.Loss!.Value) + 2) / 2;
            Assert.True(HasColourNear(saved, x, y, 3, Rgb(CurvePlot.LossColour)), $"no loss line at iteration {r.Iteration} ({x:F0}, {y:F0})");
        }
    }

    [Fact]
    public void A_log_without_validation_rows_still_draws()
    {
        var rows = Rows().Where(r => r.Loss is not null).ToList();
        using var image = Decode(CurvePlot.Render(rows));
        Assert.Equal((CurvePlot.Width, CurvePlot.Height), (image.Width, image.Height));
        using var empty = Decode(CurvePlot.Render([]));
        Assert.Equal((CurvePlot.Width, CurvePlot.Height), (empty.Width, empty.Height));
    }
}
