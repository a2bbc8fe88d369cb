using HdrUp.Core;
using ScottPlot;

namespace HdrUp.Training.Train;

/// <summary>
/// <c>train_curves.png</c>: the training loss on a log scale (top, green) and the validation PSNR (bottom, blue, left
/// axis) with ΔE_ITP (bottom, red, right axis) against iteration, both panels over the same iterations.
/// </summary>
public static class CurvePlot
{
    public const int Width = 900, Height = 580;
    public static readonly ScottPlot.Color LossColour = new(0, 140, 0), PsnrColour = new(30, 70, 220), DeltaEColour = new(210, 40, 40);

    /// <summary>Beyond this many points a series is a plain line: markers would merge into a band.</summary>
    private const int MaxMarkedPoints = 60;

    public static void Save(string path, IReadOnlyList<LogRow> rows)
    {
        byte[] png = Render(rows);
        AtomicFile.Write(path, (Stream s) => s.Write(png));
    }

    /// <summary>The chart as PNG bytes, <see cref="Width"/>×<see cref="Height"/>.</summary>
    public static byte[] Render(IReadOnlyList<LogRow> rows)
    {
        using var image = Build(rows).Render(Width, Height);
        return image.GetImageBytes(ImageFormat.Png);
    }

    /// <summary>The two panels, loss on top (plot 0), validation below (plot 1).</summary>
    internal static Multiplot Build(IReadOnlyList<LogRow> rows)
    {
        long lastIteration = Math.Max(1, rows.Count == 0 ? 1 : rows.Max(r => r.Iteration));
        var loss = Series(rows, r => r.Loss is double l && l > 0 && double.IsFinite(l) ? l : null);
        var psnr = Series(rows, r => r.ValPsnr);
        var deltaE = Series(rows, r => r.ValDeltaEItp);

        var top = Charts.New("Training loss", "iteration", "loss (log scale)");
        if (loss.Count > 0)
        {
            var (low, high) = Charts.LogScale(top.Axes.Left, 10, loss.Min(p => p.Y), loss.Max(p => p.Y), "G3");
            Add(top, loss.Select(p => (p.X, Charts.Log(p.Y, 10))).ToList(), LossColour, "training loss (mean since the previous row)");
            top.Axes.SetLimitsY(low, high);
        }

        var bottom = Charts.New("Validation", "iteration", "PSNR (dB)");
        bottom.Axes.Right.Label.Text = "ΔE_ITP";
        if (psnr.Count > 0) Add(bottom, psnr, PsnrColour, "PSNR");
        if (deltaE.Count > 0) Add(bottom, deltaE, DeltaEColour, "ΔE_ITP (right axis)").Axes.YAxis = bottom.Axes.Right;
        // PSNR rises and ΔE_ITP falls towards the right: headroom above both keeps the legend off the last values.
        bottom.Axes.Margins(bottom: 0.05, top: 0.4);

        foreach (var plot in new[] { top, bottom })
        {
            plot.Axes.SetLimitsX(0, lastIteration);
            plot.Legend.Alignment = Alignment.UpperRight;
            plot.ShowLegend();
        }
        var multiplot = new Multiplot(top);
        multiplot.AddPlot(bottom);
        return multiplot;
    }

    private static List<(double X, double Y)> Series(IReadOnlyList<LogRow> rows, Func<LogRow, double?> value) =>
        rows.Where(r => value(r) is double v && double.IsFinite(v)).Select(r => ((double)r.Iteration, value(r)!.Value)).ToList();

    private static ScottPlot.Plottables.Scatter Add(Plot plot, List<(double X, double Y)> points, ScottPlot.Color colour, string legend)
    {
        var scatter = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), colour);
        scatter.LegendText = legend;
        scatter.LineWidth = 1.5f;
        scatter.MarkerSize = points.Count <= MaxMarkedPoints ? 5 : 0;
        return scatter;
    }
}
