using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Training.Dataset;

/// <summary>A virtual pinhole camera looking into a 360° panorama, angles in degrees.</summary>
/// <param name="Yaw">Rotation about the vertical axis; 0 looks at the centre column of the equirectangular image, positive turns right (towards larger columns).</param>
/// <param name="Pitch">Elevation; positive looks up.</param>
/// <param name="HorizontalFov">Horizontal field of view, (0, 180).</param>
public readonly record struct ViewSpec(double Yaw, double Pitch, double HorizontalFov)
{
    public string Tag => FormattableString.Invariant($"y{Mod360(Yaw):000.0}_p{Pitch:+00;-00;+00}_f{HorizontalFov:000}").Replace('.', 'd');

    internal static double Mod360(double a) => ((a % 360) + 360) % 360;
}

/// <summary>
/// Rectilinear views of an equirectangular (longitude × latitude) panorama. Column u spans
/// longitude −180°…+180° left to right, row v spans latitude +90°…−90° top to bottom, pixel
/// centres at (u + 0.5, v + 0.5). Sampling is bilinear, wrapping in longitude and clamping in
/// latitude, so a straight scene line stays straight in the view (no equirect distortion).
/// </summary>
public static class Equirect
{
    /// <summary>Renders a width × height view; the values are interpolated as stored (use linear light).</summary>
    public static RgbPlanarFrame RenderView(RgbPlanarFrame panorama, ViewSpec view, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(panorama);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (!(view.HorizontalFov > 0 && view.HorizontalFov < 180))
            throw new ArgumentOutOfRangeException(nameof(view), view.HorizontalFov, "The horizontal field of view must lie in (0°, 180°).");

        var output = new RgbPlanarFrame(width, height);
        double focal = width / 2.0 / Math.Tan(view.HorizontalFov * Math.PI / 360.0);
        double yaw = view.Yaw * Math.PI / 180, pitch = view.Pitch * Math.PI / 180;
        double cy = Math.Cos(yaw), sy = Math.Sin(yaw), cp = Math.Cos(pitch), sp = Math.Sin(pitch);
        int sw = panorama.Width, sh = panorama.Height, sn = panorama.PixelCount, n = output.PixelCount;
        var src = panorama.Data;
        var dst = output.Data;

        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                // Camera frame: x right, y up, z forward; pitch about x, then yaw about y.
                double dx = (x + 0.5 - width / 2.0) / focal;
                double dy = (height / 2.0 - (y + 0.5)) / focal;
                double dz = 1.0;
                double y1 = dy * cp + dz * sp;
                double z1 = -dy * sp + dz * cp;
                double x2 = dx * cy + z1 * sy;
                double z2 = -dx * sy + z1 * cy;
                double lon = Math.Atan2(x2, z2);
                double lat = Math.Atan2(y1, Math.Sqrt(x2 * x2 + z2 * z2));

                double u = (lon / (2 * Math.PI) + 0.5) * sw - 0.5;
                double v = (0.5 - lat / Math.PI) * sh - 0.5;
                int u0 = (int)Math.Floor(u), v0 = (int)Math.Floor(v);
                double fu = u - u0, fv = v - v0;
                int ua = ((u0 % sw) + sw) % sw, ub = (ua + 1) % sw;
                int va = Math.Clamp(v0, 0, sh - 1), vb = Math.Clamp(v0 + 1, 0, sh - 1);
                double w00 = (1 - fu) * (1 - fv), w01 = fu * (1 - fv), w10 = (1 - fu) * fv, w11 = fu * fv;
                int i00 = va * sw + ua, i01 = va * sw + ub, i10 = vb * sw + ua, i11 = vb * sw + ub;
                int o = y * width + x;
                for (int c = 0; c < 3; c++)
                {
                    int b = c * sn;
                    dst[c * n + o] = (float)(w00 * src[b + i00] + w01 * src[b + i01] + w10 * src[b + i10] + w11 * src[b + i11]);
                }
            }
        }
        return output;
    }

    /// <summary>The equirectangular column (continuous, pixel-centre convention) that a yaw angle looks at.</summary>
    public static double ColumnOfYaw(double yawDegrees, int panoramaWidth) =>
        (ViewSpec.Mod360(yawDegrees + 180) / 360.0) * panoramaWidth - 0.5;
}
