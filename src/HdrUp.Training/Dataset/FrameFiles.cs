using System.Globalization;
using System.Runtime.InteropServices;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Training.Dataset;

/// <summary>
/// The dataset builder's only contact with image files: decode a scene-referred EXR, decode a PNG,
/// probe a file. EXR decoding and PNG reading/writing are HdrUp.Media's (FloatImage, Png16); what
/// remains here is the float/integer probe that rejects non-HDR sources, the two formats ffmpeg 5.1
/// cannot read (KTX cube maps → <see cref="KtxCubemap"/>, Radiance .hdr → <see cref="RadianceHdr"/>)
/// and the 8-bit packing for the batched ffmpeg writers.
/// </summary>
internal static class FrameFiles
{
    public sealed record Probe(int Width, int Height, string PixelFormat, string Codec);

    public static async Task<Probe> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".ktx":
                int face = KtxCubemap.Read(path).Size;
                return new Probe(4 * face, 2 * face, KtxPixelFormat, "ktx");
            case ".hdr":
                var (w0, h0) = RadianceHdr.ReadSize(path);
                return new Probe(w0, h0, RgbePixelFormat, "radiance");
        }
        ExternalProcess.Result r;
        try
        {
            r = await ExternalProcess.RunAsync("ffprobe",
                ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,pix_fmt,codec_name", "-of", "csv=p=0", path],
                path, null, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.Message.Contains("failed (exit", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: not a readable image ({ex.Message.Split(": ").Last()}).", ex);
        }
        var parts = System.Text.Encoding.UTF8.GetString(r.Stdout).Trim().Split(',');
        if (parts.Length < 4 || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int w) || !int.TryParse(parts[2], CultureInfo.InvariantCulture, out int h))
            throw new InvalidDataException($"{path}: not a readable image (ffprobe found no picture).");
        return new Probe(w, h, parts[3], parts[0]);
    }

    /// <summary>Pixel formats reported by <see cref="ProbeAsync"/> for the files decoded here rather than by ffmpeg.</summary>
    private const string KtxPixelFormat = "r11g11b10f", RgbePixelFormat = "rgbe";

    /// <summary>A float pixel format is what separates scene-referred HDR (EXR, Radiance .hdr, float KTX) from display-referred 8/16-bit images.</summary>
    public static bool IsFloat(string pixelFormat) =>
        pixelFormat.Contains("f32", StringComparison.Ordinal) || pixelFormat.Contains("f16", StringComparison.Ordinal) || pixelFormat is KtxPixelFormat or RgbePixelFormat;

    /// <summary>
    /// Decodes a scene-referred HDR image (OpenEXR half/float, Radiance RGBE, or a KTX float cube map
    /// resampled to a 2:1 equirectangular panorama four times its face size wide) to linear RGB,
    /// planar, as stored (no scaling). Alpha is dropped. Throws <see cref="InvalidDataException"/> for integer images.
    /// </summary>
    public static async Task<RgbPlanarFrame> ReadHdrAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".ktx": return KtxCubemap.Read(path).ToEquirect();
            case ".hdr": return RadianceHdr.Read(path);
        }
        var probe = await ProbeAsync(path, cancellationToken).ConfigureAwait(false);
        if (!IsFloat(probe.PixelFormat))
            throw new InvalidDataException(
                $"{path}: not an HDR source ({probe.Codec}, {probe.PixelFormat}); the builder needs scene-referred floating-point images such as OpenEXR.");
        var frame = HdrUp.Media.FloatImage.Read(path, cancellationToken);
        if (frame.Width != probe.Width || frame.Height != probe.Height)
            throw new InvalidDataException($"{path}: decoded {frame.Width}×{frame.Height}, ffprobe says {probe.Width}×{probe.Height}.");
        return frame;
    }

    /// <summary>Packs [0, 1] planar values to interleaved 8-bit RGB (×255, rounded), ffmpeg's rgb24.</summary>
    public static byte[] ToRgb24(RgbPlanarFrame frame)
    {
        int n = frame.PixelCount;
        var bytes = new byte[3 * n];
        var d = frame.Data;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++)
                bytes[3 * i + c] = (byte)Math.Clamp(MathF.Round(d[c * n + i] * 255f), 0f, 255f);
        return bytes;
    }
}
