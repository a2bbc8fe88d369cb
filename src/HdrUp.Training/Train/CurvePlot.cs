using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using HdrUp.Core;

namespace HdrUp.Training.Train;

/// <summary>
/// <c>train_curves.png</c>: training L1 loss (log scale, top) and validation PSNR (bottom, blue) with ΔE_ITP
/// (bottom, red, own scale) against iteration. Drawn by hand on an <see cref="Image{Rgb24}"/> (no drawing
/// library); axis extremes are printed with a built-in 3×5 pixel font.
/// </summary>
public static class CurvePlot
{
    private const int W = 900, PanelH = 280, Margin = 60;
    private static readonly Rgb24 Black = new(0, 0, 0), Grey = new(200, 200, 200), Green = new(0, 140, 0),
        Blue = new(30, 70, 220), Red = new(210, 40, 40), White = new(255, 255, 255);

    public static void Save(string path, IReadOnlyList<LogRow> rows)
    {
        using var image = new Image<Rgb24>(W, 2 * PanelH + 20, White);
        long maxIt = Math.Max(1, rows.Count == 0 ? 1 : rows.Max(r => r.Iteration));
        var loss = rows.Where(r => r.Loss is > 0).Select(r => (r.Iteration, Math.Log10(r.Loss!.Value))).ToList();
        var psnr = rows.Where(r => r.ValPsnr is double v && double.IsFinite(v)).Select(r => (r.Iteration, r.ValPsnr!.Value)).ToList();
        var de = rows.Where(r => r.ValDeltaEItp is double v && double.IsFinite(v)).Select(r => (r.Iteration, r.ValDeltaEItp!.Value)).ToList();
        Panel(image, 0, maxIt, [(loss, Green, true)]);
        Panel(image, PanelH + 20, maxIt, [(psnr, Blue, true), (de, Red, false)]);
        AtomicFile.Write(path, (Stream s) => image.SaveAsPng(s));
    }

    private static void Panel(Image<Rgb24> img, int top, long maxIt, (List<(long X, double Y)> Points, Rgb24 Colour, bool LeftAxis)[] series)
    {
        int x0 = Margin, x1 = W - Margin, y0 = top + 10, y1 = top + PanelH - 20;
        for (int x = x0; x <= x1; x++) { PlotPixels.Set(img, x, y0, Grey); PlotPixels.Set(img, x, y1, Black); }
        for (int y = y0; y <= y1; y++) { PlotPixels.Set(img, x0, y, Black); PlotPixels.Set(img, x1, y, Grey); }
        PlotPixels.Text(img, x0, y1 + 6, "0", Black);
        string maxText = maxIt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        PlotPixels.Text(img, x1 - 4 * maxText.Length, y1 + 6, maxText, Black);
        foreach (var (points, colour, left) in series)
        {
            if (points.Count == 0) continue;
            double lo = points.Min(p => p.Y), hi = points.Max(p => p.Y);
            if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
            int PX(long it) => x0 + (int)Math.Round((x1 - x0) * (double)it / maxIt);
            int PY(double v) => y1 - (int)Math.Round((y1 - y0) * (v - lo) / (hi - lo));
            for (int i = 1; i < points.Count; i++) PlotPixels.Line(img, PX(points[i - 1].X), PY(points[i - 1].Y), PX(points[i].X), PY(points[i].Y), colour);
            foreach (var p in points.Count <= 60 ? points : []) PlotPixels.Dot(img, PX(p.X), PY(p.Y), colour);
            // Log-scale loss is labelled with the loss itself.
            bool isLog = colour.Equals(Green);
            string Label(double v) => (isLog ? Math.Pow(10, v) : v).ToString(isLog ? "G3" : "F2", System.Globalization.CultureInfo.InvariantCulture);
            int tx = left ? 2 : x1 + 4;
            PlotPixels.Text(img, tx, y0, Label(hi), colour);
            PlotPixels.Text(img, tx, y1 - 5, Label(lo), colour);
        }
    }
}
