using HdrUp.Color;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using HdrUp.Core;

namespace HdrUp.Media;

/// <summary>
/// 16-bit RGB PNG frames, the format of the paper's data (HDR frames as PQ BT.2020 code values × 65535).
/// Reading also accepts 8-bit (and palette/grey/alpha) PNGs, whose values come back as code / 255
/// (ImageSharp widens 8 to 16 bits by ×257, and 257·v/65535 = v/255 exactly); alpha is dropped.
/// </summary>
public static class Png16
{
    /// <summary>Reads a PNG into a frame of values in [0, 1].</summary>
    public static RgbPlanarFrame Read(string path) => Read(path, out _);

    /// <summary>Reads a PNG into a frame of values in [0, 1] and reports its bit depth per channel (8 or 16; 1–4 for low-depth palettes/grey).</summary>
    public static RgbPlanarFrame Read(string path, out int bitDepth)
    {
        MediaProbe.CheckInputFile(path);
        string name = MediaProbe.DisplayName(path);
        try
        {
            using Image<Rgb48> image = Image.Load<Rgb48>(path, out SixLabors.ImageSharp.Formats.IImageFormat format);
            if (format is not PngFormat)
                throw new InvalidDataException($"{name}: not a PNG ({format.Name})");
            bitDepth = image.Metadata.GetPngMetadata().BitDepth is PngBitDepth depth ? (int)depth : 8;
            int w = image.Width, h = image.Height, n = w * h;
            var frame = new RgbPlanarFrame(w, h);
            float[] data = frame.Data;
            image.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < h; y++)
                {
                    Span<Rgb48> row = rows.GetRowSpan(y);
                    int o = y * w;
                    for (int x = 0; x < w; x++)
                    {
                        data[o + x] = row[x].R / 65535f;
                        data[n + o + x] = row[x].G / 65535f;
                        data[2 * n + o + x] = row[x].B / 65535f;
                    }
                }
            });
            return frame;
        }
        catch (UnknownImageFormatException)
        {
            throw new InvalidDataException($"{name}: not a PNG or other image ImageSharp reads");
        }
        catch (ImageFormatException e)
        {
            throw new InvalidDataException($"{name}: truncated or unreadable PNG ({OneLine(e.Message)})");
        }
    }

    /// <summary>
    /// Writes a 16-bit RGB PNG: each value clamped to [0, 1], × 65535, rounded half to even, as the
    /// paper's test script does (<c>np.round(np.clip(x, 0, 1) * 65535).astype(np.uint16)</c>, in float32).
    /// Written to a temporary file beside <paramref name="path"/> and renamed, so a crash never leaves a torn PNG.
    /// </summary>
    public static void Write(string path, RgbPlanarFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        int w = frame.Width, h = frame.Height, n = w * h;
        float[] data = frame.Data;
        using var image = new Image<Rgb48>(w, h);
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < h; y++)
            {
                Span<Rgb48> row = rows.GetRowSpan(y);
                int o = y * w;
                for (int x = 0; x < w; x++)
                    row[x] = new Rgb48(UnitInterval.ToCode16(data[o + x]), UnitInterval.ToCode16(data[n + o + x]), UnitInterval.ToCode16(data[2 * n + o + x]));
            }
        });
        var encoder = new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Rgb };
        AtomicFile.Write(path, (Stream stream) => image.Save(stream, encoder));
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
