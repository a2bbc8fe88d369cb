using System.Globalization;
using System.Text;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Training.Dataset;

/// <summary>
/// Radiance RGBE (.hdr) stills, read here because ffmpeg 5.1 (Debian 12) has no Radiance decoder
/// (it arrived in ffmpeg 6.0). Header "#?RADIANCE" or "#?RGBE", <c>FORMAT=32-bit_rle_rgbe</c>,
/// the standard orientation <c>-Y H +X W</c>, then scanlines either flat or in the "new" run-length
/// encoding (2, 2, width, then each of R, G, B, E run-length coded). Pixel value as Radiance's
/// <c>colr_color</c>: (m + 0.5)·2^(e − 136), and 0 for e = 0. Values are linear light as stored; the
/// EXPOSURE header line is ignored (the builder normalises exposure itself).
/// </summary>
public static class RadianceHdr
{
    public static RgbPlanarFrame Read(string path) => Parse(path, File.ReadAllBytes(path));

    /// <summary>Width and height from the header alone.</summary>
    public static (int Width, int Height) ReadSize(string path)
    {
        using var stream = File.OpenRead(path);
        var head = new byte[Math.Min(stream.Length, 64 * 1024)];
        stream.ReadExactly(head);
        var (w, h, _) = Header(path, head);
        return (w, h);
    }

    public static RgbPlanarFrame Parse(string name, ReadOnlySpan<byte> file)
    {
        var (w, h, at) = Header(name, file);
        var frame = new RgbPlanarFrame(w, h);
        int n = frame.PixelCount;
        var d = frame.Data;
        var line = new byte[4 * w]; // planar R…, G…, B…, E… of one scanline
        for (int y = 0; y < h; y++)
        {
            if (at + 4 > file.Length) throw Truncated(name, y);
            if (w is >= 8 and <= 0x7FFF && file[at] == 2 && file[at + 1] == 2 && (file[at + 2] & 0x80) == 0)
            {
                if ((file[at + 2] << 8 | file[at + 3]) != w)
                    throw new InvalidDataException($"{name}: scanline {y} declares width {file[at + 2] << 8 | file[at + 3]}, the header {w}.");
                at += 4;
                for (int c = 0; c < 4; c++)
                {
                    int x = 0;
                    while (x < w)
                    {
                        if (at >= file.Length) throw Truncated(name, y);
                        int count = file[at++];
                        bool run = count > 128;
                        if (run) count -= 128;
                        if (count == 0 || x + count > w)
                            throw new InvalidDataException($"{name}: scanline {y} has a bad run length.");
                        if (at + (run ? 1 : count) > file.Length) throw Truncated(name, y);
                        if (run)
                            line.AsSpan(c * w + x, count).Fill(file[at++]);
                        else
                        {
                            file.Slice(at, count).CopyTo(line.AsSpan(c * w + x, count));
                            at += count;
                        }
                        x += count;
                    }
                }
            }
            else
            {
                if (file[at] == 1 && file[at + 1] == 1 && file[at + 2] == 1)
                    throw new InvalidDataException($"{name}: old-style Radiance run-length encoding is not supported.");
                if (at + 4 * w > file.Length) throw Truncated(name, y);
                for (int x = 0; x < w; x++)
                    for (int c = 0; c < 4; c++)
                        line[c * w + x] = file[at + 4 * x + c];
                at += 4 * w;
            }
            for (int x = 0; x < w; x++)
            {
                int e = line[3 * w + x];
                int i = y * w + x;
                for (int c = 0; c < 3; c++)
                    d[c * n + i] = e == 0 ? 0f : MathF.ScaleB(line[c * w + x] + 0.5f, e - 136);
            }
        }
        return frame;
    }

    private static InvalidDataException Truncated(string name, int row) => new($"{name}: truncated in scanline {row}.");

    /// <summary>Parses the text header; returns the size and the offset of the first scanline.</summary>
    private static (int Width, int Height, int DataStart) Header(string name, ReadOnlySpan<byte> file)
    {
        int at = 0;
        string? magic = Line(file, ref at);
        if (magic is null || !(magic.StartsWith("#?RADIANCE", StringComparison.Ordinal) || magic.StartsWith("#?RGBE", StringComparison.Ordinal)))
            throw new InvalidDataException($"{name}: not a Radiance .hdr file (no #?RADIANCE line).");
        string? format = null;
        for (string? l = Line(file, ref at); l != ""; l = Line(file, ref at))
        {
            if (l is null) throw new InvalidDataException($"{name}: Radiance header has no end (blank line).");
            if (l.StartsWith("FORMAT=", StringComparison.Ordinal)) format = l["FORMAT=".Length..].Trim();
        }
        if (format is not (null or "32-bit_rle_rgbe"))
            throw new InvalidDataException($"{name}: Radiance FORMAT={format}; only 32-bit_rle_rgbe is supported.");
        var res = (Line(file, ref at) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (res.Length != 4 || res[0] != "-Y" || res[2] != "+X"
            || !int.TryParse(res[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            || !int.TryParse(res[3], NumberStyles.None, CultureInfo.InvariantCulture, out int w) || w <= 0 || h <= 0)
            throw new InvalidDataException($"{name}: Radiance resolution line \"{string.Join(' ', res)}\"; only the standard \"-Y H +X W\" is supported.");
        return (w, h, at);
    }

    /// <summary>The text up to the next newline (excluded), advancing past it; null at the end of the data.</summary>
    private static string? Line(ReadOnlySpan<byte> file, ref int at)
    {
        int end = file[at..].IndexOf((byte)'\n');
        if (end < 0) return null;
        string s = Encoding.ASCII.GetString(file.Slice(at, end));
        at += end + 1;
        return s;
    }
}
