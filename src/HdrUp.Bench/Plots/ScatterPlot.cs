using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

using HdrUp.Training.Train;

namespace HdrUp.Bench.Plots;

/// <summary>One point of a <see cref="ScatterPlot"/>: its position and the number printed beside it (the legend is the caption's).</summary>
public sealed record ScatterPoint(double X, double Y, int Label);

/// <summary>
/// A speed/quality chart: points on a log₂ x axis (seconds per frame: each step is a halving) and a linear y axis
/// (dB), each numbered with the 3×5 font, the Pareto front (faster and better than every point to its right) joined
/// in blue. Axis extremes are printed; names belong in the caption beside the numbers.
/// </summary>
public static class ScatterPlot
{
    private const int W = 720, H = 420, Margin = 56;
    private static readonly Rgb24 Black = new(0, 0, 0), Grey = new(200, 200, 200), Blue = new(30, 70, 220), Red = new(210, 40, 40), White = new(255, 255, 255);

    /// <summary>Writes the chart as PNG to <paramref name="destination"/>.</summary>
    public static void Save(Stream destination, IReadOnlyList<ScatterPoint> points)
    {
        ArgumentOutOfRangeException.ThrowIfZero(points.Count);
        if (points.Any(p => !(p.X > 0) || !double.IsFinite(p.Y)))
            throw new ArgumentException("Every point needs a positive x (seconds) and a finite y.", nameof(points));
        using var image = new Image<Rgb24>(W, H, White);
        int x0 = Margin, x1 = W - Margin / 2, y0 = Margin / 2, y1 = H - Margin;
        for (int x = x0; x <= x1; x++) { PlotPixels.Set(image, x, y0, Grey); PlotPixels.Set(image, x, y1, Black); }
        for (int y = y0; y <= y1; y++) { PlotPixels.Set(image, x0, y, Black); PlotPixels.Set(image, x1, y, Grey); }

        double lx = Math.Floor(Math.Log2(points.Min(p => p.X))), hx = Math.Ceiling(Math.Log2(points.Max(p => p.X)));
        if (hx - lx < 1) hx = lx + 1;
        double ly = Math.Floor(points.Min(p => p.Y) - 0.5), hy = Math.Ceiling(points.Max(p => p.Y) + 0.5);
        int PX(double v) => x0 + (int)Math.Round((x1 - x0) * (Math.Log2(v) - lx) / (hx - lx));
        int PY(double v) => y1 - (int)Math.Round((y1 - y0) * (v - ly) / (hy - ly));
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        for (double e = lx; e <= hx; e++)
        {
            int x = PX(Math.Pow(2, e));
            for (int y = y0; y < y1; y += 4) PlotPixels.Set(image, x, y, Grey);
            string tick = Math.Pow(2, e).ToString("0.###", inv);
            PlotPixels.Text(image, x - 2 * tick.Length, y1 + 6, tick, Black);
        }
        for (double v = ly; v <= hy; v++)
        {
            int y = PY(v);
            for (int x = x0; x < x1; x += 4) PlotPixels.Set(image, x, y, Grey);
            PlotPixels.Text(image, x0 - 4 * (v.ToString(inv).Length + 1), y - 2, v.ToString(inv), Black);
        }

        var front = points.OrderBy(p => p.X).Aggregate(new List<ScatterPoint>(), (kept, p) =>
        {
            if (kept.Count == 0 || p.Y > kept[^1].Y) kept.Add(p);
            return kept;
        });
        for (int i = 1; i < front.Count; i++)
            PlotPixels.Line(image, PX(front[i - 1].X), PY(front[i - 1].Y), PX(front[i].X), PY(front[i].Y), Blue);
        foreach (var p in points)
        {
            var colour = front.Contains(p) ? Blue : Red;
            PlotPixels.Dot(image, PX(p.X), PY(p.Y), colour);
            PlotPixels.Text(image, PX(p.X) + 4, PY(p.Y) - 8, p.Label.ToString(inv), colour);
        }
        image.SaveAsPng(destination);
    }
}
