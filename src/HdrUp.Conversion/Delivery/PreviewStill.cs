using HdrUp.Media;
using HdrUp.Color;
using SkiaSharp;
using HdrUp.Core;

namespace HdrUp.Conversion.Delivery;

/// <summary>
/// The still of <c>hdrup convert --preview</c>: one frame as three panels side by side, each under a caption, with the
/// false-colour legend to their right and a two-line note below.
/// <list type="number">
/// <item>the SDR input, its BT.709 code values as they are;</item>
/// <item>the HDR output shown on an SDR screen by <see cref="SdrPreview.FromPq"/> (PQ → cd/m², BT.2020 → BT.709,
/// 203 cd/m² → SDR 1.0, extended Reinhard per channel with the 1000 cd/m² peak on SDR white, BT.1886 encoding);</item>
/// <item>the HDR output's BT.2020 luminance in cd/m² in the bands of <see cref="FalseColour"/>.</item>
/// </list>
/// Frames wider than <see cref="MaxPanelWidth"/> are reduced by the smallest whole factor that fits, averaging each
/// factor×factor block: SDR code values as they are, HDR in linear light (then back to PQ), so a panel pixel shows the
/// block's light, not its mean code value. Drawn with SkiaSharp and the embedded DejaVu Sans (no system font is needed).
/// </summary>
public static class PreviewStill
{
    public const int Margin = 8, Gap = 8, CaptionHeight = 20, LegendWidth = 150, LegendRowHeight = 18;
    public const int FooterLines = 2, FooterLineHeight = 15, MaxPanelWidth = 640;
    private const float CaptionSize = 13, NoteSize = 11;

    public static readonly string[] Captions = ["SDR input", "HDR output on an SDR screen", "HDR luminance, false colour"];
    public const string LegendTitle = "BT.2020 Y, cd/m²";

    /// <summary>Reduction factor of a frame <paramref name="width"/> pixels wide.</summary>
    public static int Factor(int width) => (width + MaxPanelWidth - 1) / MaxPanelWidth;

    /// <summary>Size of each panel for a frame of this size.</summary>
    public static (int Width, int Height) PanelSize(int width, int height) =>
        (Math.Max(1, width / Factor(width)), Math.Max(1, height / Factor(width)));

    /// <summary>Top-left corner of panel 0, 1 or 2 in the still.</summary>
    public static (int X, int Y) PanelOrigin(int panel, int width, int height) =>
        (Margin + panel * (PanelSize(width, height).Width + Gap), Margin + CaptionHeight);

    public static int LegendHeight => CaptionHeight + FalseColour.Bands.Count * LegendRowHeight;

    /// <summary>Size of the still for a frame of this size.</summary>
    public static (int Width, int Height) Size(int width, int height)
    {
        var (pw, ph) = PanelSize(width, height);
        int body = Math.Max(CaptionHeight + ph, LegendHeight);
        return (Margin + 3 * (pw + Gap) + LegendWidth + Margin, Margin + body + Gap + FooterLines * FooterLineHeight + Margin);
    }

    /// <summary>Top-left corner of the legend's swatch of band <paramref name="band"/>.</summary>
    public static (int X, int Y) SwatchOrigin(int band, int width, int height) =>
        (PanelOrigin(2, width, height).X + PanelSize(width, height).Width + Gap, Margin + CaptionHeight + band * LegendRowHeight + 2);

    private static readonly Lazy<SKTypeface> Typeface = new(() =>
    {
        using var stream = EmbeddedFonts.OpenDejaVuSans();
        var typeface = SKTypeface.FromStream(stream);
        if (typeface is null || typeface.GlyphCount == 0)
            throw new InvalidOperationException("the preview font (embedded DejaVu Sans) did not load");
        return typeface;
    });

    /// <summary>Draws the still; <paramref name="note"/> is the text under it (wrapped to two lines, cut with … beyond).</summary>
    /// <param name="sdr">SDR BT.709 code values in [0, 1].</param>
    /// <param name="pq">The HDR output, PQ BT.2020 code values in [0, 1], same size.</param>
    public static SKBitmap Render(RgbPlanarFrame sdr, RgbPlanarFrame pq, string note)
    {
        if (sdr.Width != pq.Width || sdr.Height != pq.Height)
            throw new ArgumentException($"SDR frame {sdr.Width}×{sdr.Height} and HDR frame {pq.Width}×{pq.Height} differ in size");
        int w = sdr.Width, h = sdr.Height, f = Factor(w);
        var (pw, ph) = PanelSize(w, h);
        var (width, height) = Size(w, h);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        try
        {
            DrawText(bitmap, w, h, note);
            RgbPlanarFrame smallSdr = Reduce(sdr, f, linearPq: false), smallPq = Reduce(pq, f, linearPq: true);
            Span<byte> pixels = bitmap.GetPixelSpan();
            int stride = bitmap.RowBytes, n = pw * ph;
            for (int panel = 0; panel < 3; panel++)
            {
                var (x0, y0) = PanelOrigin(panel, w, h);
                for (int y = 0; y < ph; y++)
                    for (int x = 0; x < pw; x++)
                    {
                        int i = y * pw + x;
                        (byte r, byte g, byte b) = panel switch
                        {
                            0 => (Byte(smallSdr.Data[i]), Byte(smallSdr.Data[n + i]), Byte(smallSdr.Data[2 * n + i])),
                            1 => Display(smallPq.Data[i], smallPq.Data[n + i], smallPq.Data[2 * n + i]),
                            _ => BandColour(smallPq.Data[i], smallPq.Data[n + i], smallPq.Data[2 * n + i]),
                        };
                        int at = (y0 + y) * stride + (x0 + x) * 4;
                        pixels[at] = r; pixels[at + 1] = g; pixels[at + 2] = b; pixels[at + 3] = 255;
                    }
            }
            bitmap.NotifyPixelsChanged();
            return bitmap;
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    /// <summary>Writes the still as a PNG to <paramref name="destination"/>.</summary>
    public static void WritePng(SKBitmap still, Stream destination)
    {
        // Strongest zlib level and every row filter: the still is written once and may be committed or mailed.
        using var pixmap = still.PeekPixels();
        using var data = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 9))
            ?? throw new InvalidOperationException("SkiaSharp could not encode the preview as PNG");
        data.SaveTo(destination);
    }

    private static byte Byte(double v) => (byte)Math.Clamp(Math.Round(v * 255, MidpointRounding.AwayFromZero), 0, 255);

    /// <summary>A middle-panel pixel: <see cref="SdrPreview.FromPq"/> in 8 bits.</summary>
    public static (byte R, byte G, byte B) Display(double r, double g, double b)
    {
        var (dr, dg, db) = SdrPreview.FromPq(r, g, b);
        return (Byte(dr), Byte(dg), Byte(db));
    }

    /// <summary>A right-panel pixel: the colour of the band of the pixel's BT.2020 luminance.</summary>
    public static (byte R, byte G, byte B) BandColour(double r, double g, double b)
    {
        var band = FalseColour.Bands[FalseColour.BandIndex(FalseColour.LuminanceFromPq(r, g, b))];
        return (band.R, band.G, band.B);
    }

    /// <summary>Block means over factor×factor blocks; PQ frames are averaged in cd/m².</summary>
    private static RgbPlanarFrame Reduce(RgbPlanarFrame frame, int factor, bool linearPq)
    {
        if (factor == 1) return frame;
        int w = frame.Width, pw = Math.Max(1, w / factor), ph = Math.Max(1, frame.Height / factor), n = frame.PixelCount;
        var small = new RgbPlanarFrame(pw, ph);
        float[] source = frame.Data;
        if (linearPq)
        {
            source = new float[frame.Data.Length];
            St2084.Eotf(frame.Data, source);
        }
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < ph; y++)
                for (int x = 0; x < pw; x++)
                {
                    double sum = 0;
                    for (int dy = 0; dy < factor; dy++)
                        for (int dx = 0; dx < factor; dx++)
                            sum += source[c * n + (y * factor + dy) * w + x * factor + dx];
                    small.Data[c * pw * ph + y * pw + x] = (float)(sum / (factor * factor));
                }
        if (linearPq) St2084.InverseEotf(small.Data, small.Data);
        return small;
    }

    private static void DrawText(SKBitmap bitmap, int w, int h, string note)
    {
        var (pw, ph) = PanelSize(w, h);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var caption = new SKFont(Typeface.Value, CaptionSize);
        using var small = new SKFont(Typeface.Value, NoteSize);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (int panel = 0; panel < 3; panel++)
        {
            var (x, _) = PanelOrigin(panel, w, h);
            canvas.Save();
            canvas.ClipRect(new SKRect(x, Margin, x + pw, Margin + CaptionHeight));
            canvas.DrawText(Captions[panel], x, Margin + CaptionSize + 1, SKTextAlign.Left, caption, ink);
            canvas.Restore();
        }
        var (lx, _) = SwatchOrigin(0, w, h);
        canvas.DrawText(LegendTitle, lx, Margin + CaptionSize + 1, SKTextAlign.Left, caption, ink);
        for (int band = 0; band < FalseColour.Bands.Count; band++)
        {
            var b = FalseColour.Bands[band];
            var (sx, sy) = SwatchOrigin(band, w, h);
            using var fill = new SKPaint { Color = new SKColor(b.R, b.G, b.B) };
            canvas.DrawRect(sx, sy, LegendRowHeight - 4, LegendRowHeight - 4, fill);
            canvas.DrawText(b.Label, sx + LegendRowHeight + 2, sy + LegendRowHeight - 6, SKTextAlign.Left, caption, ink);
        }
        int footer = Size(w, h).Height - Margin - FooterLines * FooterLineHeight;
        float widthAvailable = bitmap.Width - 2 * Margin;
        var lines = Wrap(note, small, widthAvailable, FooterLines);
        for (int i = 0; i < lines.Count; i++)
            canvas.DrawText(lines[i], Margin, footer + (i + 1) * FooterLineHeight - 4, SKTextAlign.Left, small, ink);
        canvas.Flush();
    }

    /// <summary>Greedy word wrap into at most <paramref name="maxLines"/> lines; what does not fit ends in "…".</summary>
    public static List<string> Wrap(string text, SKFont font, float width, int maxLines)
    {
        var lines = new List<string>();
        string line = "";
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < words.Length; i++)
        {
            string next = line.Length == 0 ? words[i] : line + " " + words[i];
            if (font.MeasureText(next) <= width || line.Length == 0)
            {
                line = next;
                continue;
            }
            if (lines.Count == maxLines - 1)
            {
                lines.Add(Ellipsize(line + " " + string.Join(' ', words[i..]), font, width));
                return lines;
            }
            lines.Add(line);
            line = words[i];
        }
        if (line.Length > 0) lines.Add(Ellipsize(line, font, width));
        return lines;
    }

    private static string Ellipsize(string text, SKFont font, float width)
    {
        if (font.MeasureText(text) <= width) return text;
        while (text.Length > 0 && font.MeasureText(text + "…") > width) text = text[..^1];
        return text + "…";
    }
}
