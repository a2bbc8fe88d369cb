using ScottPlot;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace HdrUp.Training.Tests.Train;

/// <summary>Reads a chart PNG back: its text ink and its series colours. Linked into the bench tests too.</summary>
internal static class ChartPixels
{
    public static Image<Rgb24> Decode(byte[] png) => SixLabors.ImageSharp.Image.Load<Rgb24>(png);

    /// <summary>
    /// Pixels of black text in a rectangle: dark and grey. Series colours are saturated, so this counts glyphs, grid
    /// and frame lines (light grey, above the threshold) do not count, and a chart whose font failed to load has none.
    /// </summary>
    public static int TextPixels(Image<Rgb24> image, PixelRect area)
    {
        int count = 0;
        for (int y = Math.Max(0, (int)area.Top); y < Math.Min(image.Height, (int)area.Bottom); y++)
            for (int x = Math.Max(0, (int)area.Left); x < Math.Min(image.Width, (int)area.Right); x++)
            {
                var p = image[x, y];
                int max = Math.Max(p.R, Math.Max(p.G, p.B)), min = Math.Min(p.R, Math.Min(p.G, p.B));
                if (max < 110 && max - min < 30) count++;
            }
        return count;
    }

    /// <summary>Whether a pixel within <paramref name="radius"/> of (x, y) has <paramref name="colour"/> (each channel within 40).</summary>
    public static bool HasColourNear(Image<Rgb24> image, double x, double y, int radius, Rgb24 colour)
    {
        for (int dy = -radius; dy <= radius; dy++)
            for (int dx = -radius; dx <= radius; dx++)
            {
                int px = (int)Math.Round(x) + dx, py = (int)Math.Round(y) + dy;
                if (px < 0 || py < 0 || px >= image.Width || py >= image.Height) continue;
                var p = image[px, py];
                if (Math.Abs(p.R - colour.R) <= 40 && Math.Abs(p.G - colour.G) <= 40 && Math.Abs(p.B - colour.B) <= 40) return true;
            }
        return false;
    }

    public static Rgb24 Rgb(ScottPlot.Color c) => new(c.R, c.G, c.B);
}
