using HdrUp.Core;
using HdrUp.Media;

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

    /// <summary>Size and pixel format of a source image; <see cref="MediaProbe"/> for everything ffmpeg reads.</summary>
    public static Probe ProbeFile(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".ktx":
                int face = KtxCubemap.Read(path).Size;
                return new Probe(4 * face, 2 * face, KtxPixelFormat, "ktx");
            case ".hdr":
                var (w, h) = RadianceHdr.ReadSize(path);
                return new Probe(w, h, RgbePixelFormat, "radiance");
        }
        var info = MediaProbe.Probe(path, cancellationToken: cancellationToken);
        return new Probe(info.Width, info.Height, info.PixelFormat, info.Codec);
    }

    /// <summary>Pixel formats reported by <see cref="ProbeFile"/> for the files decoded here rather than by ffmpeg.</summary>
    private const string KtxPixelFormat = "r11g11b10f", RgbePixelFormat = "rgbe";

    /// <summary>A float pixel format is what separates scene-referred HDR (EXR, Radiance .hdr, float KTX) from display-referred 8/16-bit images.</summary>
    public static bool IsFloat(string pixelFormat) =>
        pixelFormat.Contains("f32", StringComparison.Ordinal) || pixelFormat.Contains("f16", StringComparison.Ordinal) || pixelFormat is KtxPixelFormat or RgbePixelFormat;

    /// <summary>
    /// Decodes a scene-referred HDR image (OpenEXR half/float, Radiance RGBE, or a KTX float cube map
    /// resampled to a 2:1 equirectangular panorama four times its face size wide) to linear RGB,
    /// planar, as stored (no scaling). Alpha is dropped. Throws <see cref="InvalidDataException"/> for integer images.
    /// </summary>
    public static RgbPlanarFrame ReadHdr(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".ktx": return KtxCubemap.Read(path).ToEquirect();
            case ".hdr": return RadianceHdr.Read(path);
        }
        var probe = ProbeFile(path, cancellationToken);
        if (!IsFloat(probe.PixelFormat))
            throw new InvalidDataException(
                $"{path}: not an HDR source ({probe.Codec}, {probe.PixelFormat}); the builder needs scene-referred floating-point images such as OpenEXR.");
        var frame = FloatImage.Read(path, cancellationToken);
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
