using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Media;

/// <summary>
/// Floating-point HDR stills: OpenEXR (.exr) and Radiance (.hdr) through ffmpeg
/// (<c>-f image2 -i … -pix_fmt gbrpf32le -f rawvideo</c>), PFM (.pfm) read directly.
/// <para>Values are linear light exactly as stored: no transfer function, no scaling, no primaries
/// conversion. ffmpeg ignores EXR's chromaticities attribute, so the primaries are whatever the file
/// was written in, BT.709/sRGB for nearly all EXR and Radiance files; 1.0 means whatever the file's
/// author meant (often 100 cd/m² or scene-referred white). Alpha is dropped. Negative and >1 values
/// are kept.</para>
/// <para>PFM is read here because ffmpeg 5.1's PFM decoder does not flip the file's bottom-to-top rows.</para>
/// </summary>
public static class FloatImage
{
    public static RgbPlanarFrame Read(string path, CancellationToken cancellationToken = default)
    {
        MediaProbe.CheckInputFile(path);
        if (string.Equals(Path.GetExtension(path), ".pfm", StringComparison.OrdinalIgnoreCase))
            return ReadPfm(path);

        MediaInfo info = MediaProbe.Probe(path, cancellationToken: cancellationToken);
        int w = info.Width, h = info.Height, n = w * h;
        var arguments = new List<string>
        {
            "-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+error",
            "-f", "image2", "-i", path, "-map", "0:V:0", "-frames:v", "1",
            "-f", "rawvideo", "-pix_fmt", "gbrpf32le", "pipe:1",
        };
        var bytes = new byte[checked(12 * n)];
        int read;
        using (var process = ExternalProcess.Start(Ffmpeg.FfmpegPath, arguments, redirectInput: false))
        {
            using (cancellationToken.Register(process.Kill))
                read = process.Output.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            process.Output.CopyTo(Stream.Null);
            process.WaitForExit(cancellationToken);
            if (process.ExitCode != 0 || read < bytes.Length)
                throw MediaProbe.Unreadable(path, "ffmpeg", process.LastErrorLine);
        }
        var frame = new RgbPlanarFrame(w, h);
        // gbrpf32le plane order is G, B, R.
        ReadOnlySpan<float> planes = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Float image reading assumes a little-endian machine.");
        planes.Slice(2 * n, n).CopyTo(frame.Plane(0));
        planes.Slice(0, n).CopyTo(frame.Plane(1));
        planes.Slice(n, n).CopyTo(frame.Plane(2));
        return frame;
    }

    /// <summary>
    /// Portable Float Map: "PF" (RGB) or "Pf" (grey, copied to R, G and B), width height, scale whose
    /// sign gives the byte order (negative: little-endian), then rows bottom to top.
    /// </summary>
    public static RgbPlanarFrame ReadPfm(string path)
    {
        MediaProbe.CheckInputFile(path);
        string name = MediaProbe.DisplayName(path);
        byte[] file = File.ReadAllBytes(path);
        int position = 0;
        string Token()
        {
            while (position < file.Length && char.IsWhiteSpace((char)file[position])) position++;
            int start = position;
            while (position < file.Length && !char.IsWhiteSpace((char)file[position])) position++;
            return Encoding.ASCII.GetString(file, start, position - start);
        }
        string magic = Token();
        int channels = magic switch { "PF" => 3, "Pf" => 1, _ => 0 };
        if (channels == 0)
            throw new InvalidDataException($"{name}: not a PFM file");
        if (!int.TryParse(Token(), NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            || !int.TryParse(Token(), NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            || !double.TryParse(Token(), NumberStyles.Float, CultureInfo.InvariantCulture, out double scale)
            || w <= 0 || h <= 0 || scale == 0)
            throw new InvalidDataException($"{name}: PFM header unreadable");
        position++; // the single whitespace byte that ends the header
        bool little = scale < 0;
        long needed = 4L * channels * w * h;
        if (file.Length - position < needed)
            throw new InvalidDataException($"{name}: truncated (PFM needs {needed} data bytes, has {file.Length - position})");
        var frame = new RgbPlanarFrame(w, h);
        int n = w * h;
        float[] data = frame.Data;
        for (int row = 0; row < h; row++)
        {
            int y = h - 1 - row; // stored bottom to top
            for (int x = 0; x < w; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    int sourceChannel = channels == 3 ? c : 0;
                    int at = position + 4 * ((row * w + x) * channels + sourceChannel);
                    ReadOnlySpan<byte> b = file.AsSpan(at, 4);
                    float v = little ? BinaryPrimitives.ReadSingleLittleEndian(b) : BinaryPrimitives.ReadSingleBigEndian(b);
                    data[c * n + y * w + x] = v;
                }
            }
        }
        return frame;
    }
}
