using ScottPlot;
using HdrUp.Training.Train;

namespace HdrUp.Bench.Plots;

/// <summary>One point of a <see cref="ScatterPlot"/>: seconds (positive), quality, and the label printed beside it.</summary>
public sealed record ScatterPoint(double X, double Y, string Label);

/// <summary>
/// A speed/quality chart: seconds per frame on a log₂ x axis (each step a halving) against a linear quality axis, each
/// point labelled, the Pareto front (faster and better than every point to its right) joined in blue and the other
/// points red, with a legend saying so.
/// </summary>
public static class ScatterPlot
{
    public const int Width = 720, Height = 420;
    public static readonly ScottPlot.Color FrontColour = new(30, 70, 220), OtherColour = new(210, 40, 40);
    private static readonly ScottPlot.Color LabelColour = new(40, 40, 40);
    internal const int LabelOffset = 5;

    /// <summary>Writes the chart as PNG to <paramref name="destination"/>.</summary>
    public static void Save(Stream destination, IReadOnlyList<ScatterPoint> points, string title, string xTitle, string yTitle) =>
        destination.Write(Build(points, title, xTitle, yTitle).GetImageBytes(Width, Height, ImageFormat.Png));

    internal static Plot Build(IReadOnlyList<ScatterPoint> points, string title, string xTitle, string yTitle)
    {
        ArgumentOutOfRangeException.ThrowIfZero(points.Count);
        if (points.Any(p => !(p.X > 0) || !double.IsFinite(p.X) || !double.IsFinite(p.Y)))
            throw new ArgumentException("Every point needs a positive x (seconds) and a finite y.", nameof(points));
        var plot = Charts.New(title, xTitle, yTitle);
        var (low, high) = Charts.LogScale(plot.Axes.Bottom, 2, points.Min(p => p.X), points.Max(p => p.X), "0.###");
        // Half a step beyond the data on each side so points at a whole power are not cut by the frame.
        plot.Axes.SetLimitsX(low - 0.5, high + 0.5);
        plot.Axes.SetLimitsY(Math.Floor(points.Min(p => p.Y) - 0.5), Math.Ceiling(points.Max(p => p.Y) + 0.5));

        var front = Front(points);
        var others = points.Where(p => !front.Contains(p)).ToList();
        var frontSeries = plot.Add.Scatter(front.Select(p => Charts.Log(p.X, 2)).ToArray(), front.Select(p => p.Y).ToArray(), FrontColour);
        frontSeries.LegendText = "Pareto front: no other point is faster and better";
        frontSeries.MarkerSize = 9;
        frontSeries.LineWidth = 2;
        if (others.Count > 0)
        {
            var otherSeries = plot.Add.ScatterPoints(others.Select(p => Charts.Log(p.X, 2)).ToArray(), others.Select(p => p.Y).ToArray(), OtherColour);
            otherSeries.LegendText = "a faster and better point exists";
            otherSeries.MarkerSize = 9;
        }
        double middle = (low + high) / 2;
        foreach (var p in points)
        {
            // Away from the nearer side of the frame, so it does not cut the label, and off the rising front line:
            // below right of a point in the left half, above left in the right half.
            bool left = Charts.Log(p.X, 2) <= middle;
            var label = plot.Add.Text(p.Label, Charts.Log(p.X, 2), p.Y);
            label.LabelFontName = Charts.FontName;
            label.LabelFontSize = 12;
            label.LabelFontColor = LabelColour;
            label.LabelAlignment = left ? Alignment.UpperLeft : Alignment.LowerRight;
            label.OffsetX = left ? LabelOffset : -LabelOffset;
            label.OffsetY = left ? LabelOffset : -LabelOffset;
        }
        // Below the axes, not over them: any corner of the data area can hold a point.
        plot.ShowLegend(Edge.Bottom);
        return plot;
    }

    /// <summary>The points no other point beats in both speed and quality, fastest first.</summary>
    public static List<ScatterPoint> Front(IReadOnlyList<ScatterPoint> points) =>
        points.OrderBy(p => p.X).Aggregate(new List<ScatterPoint>(), (kept, p) =>
        {
            if (kept.Count == 0 || p.Y > kept[^1].Y) kept.Add(p);
            return kept;
        });
}
