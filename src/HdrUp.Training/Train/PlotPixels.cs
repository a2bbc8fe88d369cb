using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace HdrUp.Training.Train;

/// <summary>
/// The pixel primitives of our hand-drawn charts (<see cref="CurvePlot"/>, the bench scatter plot): clipped pixels,
/// 3×3 dots, Bresenham lines and a 3×5 font of digits and a few signs, so plots need no drawing library or fonts.
/// </summary>
public static class PlotPixels
{
    public static void Set(Image<Rgb24> img, int x, int y, Rgb24 c)
    {
        if (x >= 0 && y >= 0 && x < img.Width && y < img.Height) img[x, y] = c;
    }

    public static void Dot(Image<Rgb24> img, int x, int y, Rgb24 c)
    {
        for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++) Set(img, x + dx, y + dy, c);
    }

    // Bresenham.
    public static void Line(Image<Rgb24> img, int xa, int ya, int xb, int yb, Rgb24 c)
    {
        int dx = Math.Abs(xb - xa), sx = xa < xb ? 1 : -1, dy = -Math.Abs(yb - ya), sy = ya < yb ? 1 : -1, err = dx + dy;
        while (true)
        {
            Set(img, xa, ya, c);
            if (xa == xb && ya == yb) break;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; xa += sx; }
            if (e2 <= dx) { err += dx; ya += sy; }
        }
    }

    // 3×5 glyphs, rows top to bottom, '#' = ink.
    private static readonly Dictionary<char, string> Glyphs = new()
    {
        ['0'] = "###"+"#.#"+"#.#"+"#.#"+"###", ['1'] = ".#."+"##."+".#."+".#."+"###", ['2'] = "###"+"..#"+"###"+"#.."+"###",
        ['3'] = "###"+"..#"+".##"+"..#"+"###", ['4'] = "#.#"+"#.#"+"###"+"..#"+"..#", ['5'] = "###"+"#.."+"###"+"..#"+"###",
        ['6'] = "###"+"#.."+"###"+"#.#"+"###", ['7'] = "###"+"..#"+".#."+".#."+".#.", ['8'] = "###"+"#.#"+"###"+"#.#"+"###",
        ['9'] = "###"+"#.#"+"###"+"..#"+"###", ['.'] = "..."+"..."+"..."+"..."+".#.", ['-'] = "..."+"..."+"###"+"..."+"...",
        ['E'] = "###"+"#.."+"##."+"#.."+"###", ['+'] = "..."+".#."+"###"+".#."+"...",
    };

    public static void Text(Image<Rgb24> img, int x, int y, string text, Rgb24 c)
    {
        foreach (char ch in text.ToUpperInvariant())
        {
            if (Glyphs.TryGetValue(ch, out var g))
                for (int i = 0; i < 15; i++)
                    if (g[i] == '#') Set(img, x + i % 3, y + i / 3, c);
            x += 4;
        }
    }
}
