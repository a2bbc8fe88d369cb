using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Media;

/// <summary>
/// ffmpeg's gbrp16le raw layout (planes G, B, R; little-endian 16-bit codes) ⇄ <see cref="RgbPlanarFrame"/>
/// (planes R, G, B in [0, 1]), with <see cref="UnitInterval.ToCode16"/>'s rounding on the way out.
/// </summary>
public static class Gbrp16
{
    /// <summary>Byte offsets of the R, G, B planes in a gbrp16le frame of <paramref name="n"/> pixels.</summary>
    private static (int R, int G, int B) Offsets(int n) => (4 * n, 0, 2 * n);

    public static void Pack(RgbPlanarFrame frame, Span<byte> destination)
    {
        int n = frame.PixelCount;
        var (r, g, b) = Offsets(n);
        PackPlane(frame.Plane(0), destination.Slice(r, 2 * n));
        PackPlane(frame.Plane(1), destination.Slice(g, 2 * n));
        PackPlane(frame.Plane(2), destination.Slice(b, 2 * n));
    }

    public static RgbPlanarFrame Unpack(ReadOnlySpan<byte> source, int width, int height)
    {
        var frame = new RgbPlanarFrame(width, height);
        int n = frame.PixelCount;
        var (r, g, b) = Offsets(n);
        UnpackPlane(source.Slice(r, 2 * n), frame.Plane(0));
        UnpackPlane(source.Slice(g, 2 * n), frame.Plane(1));
        UnpackPlane(source.Slice(b, 2 * n), frame.Plane(2));
        return frame;
    }

    private static void PackPlane(ReadOnlySpan<float> plane, Span<byte> destination)
    {
        for (int i = 0; i < plane.Length; i++)
        {
            ushort v = UnitInterval.ToCode16(plane[i]);
            destination[2 * i] = (byte)v;
            destination[2 * i + 1] = (byte)(v >> 8);
        }
    }

    private static void UnpackPlane(ReadOnlySpan<byte> wide, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
            destination[i] = (wide[2 * i] | (wide[2 * i + 1] << 8)) / UnitInterval.Code16Max;
    }
}
