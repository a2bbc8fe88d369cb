using HdrUp.Color.Internal;
using HdrUp.Core;

namespace HdrUp.Color;

/// <summary>
/// Report ITU-R BT.2446-1 (03/2021) conversion Method C, HDR→SDR (§6.1), the mapping our dataset
/// builder uses to make the SDR half of training pairs.
/// </summary>
/// <remarks>
/// Steps: (6.1.2) crosstalk matrix with α; (6.1.3) RGB→XYZ→xyY; (6.1.4) tone curve on Y in cd/m²,
/// keeping xy; (6.1.5) back to RGB and the inverse crosstalk. Because the crosstalk is linear and
/// xy is kept, steps 2 to 5 are exactly "scale the input RGB by Y_SDR/Y", with Y the luminance of the
/// crosstalked RGB; that is how it is computed here. The tone curve (equation 7):
/// Y_SDR = k1·Y for Y &lt; Y_ip, else k2·ln(Y/Y_ip − k3) + k4, with the report's k1 = 0.83802,
/// k2 = 15.09968, k3 = 0.74204, k4 = 78.99439 and Y_ip = 58.5/k1. Those come from its design points
/// (HLG at 1 000 cd/m², SDR by BT.1886 at 100 cd/m²): HDR 50 % HLG → SDR 70 % (skin), inflection
/// at SDR 80 %, HDR reference white 75 % HLG (203 cd/m²) → SDR 96 %. The curve reaches 118 cd/m²
/// (SDR 107 %) at 1 000 cd/m²; we clip Y_SDR at SDR white (no super-whites, since our output is
/// [0, 1]) and then clip per channel after BT.2020→BT.709 (the report leaves gamut mapping to
/// BT.2407; a matrix and clip is the simple stand-in). The optional CIELAB chroma correction of the
/// report is not applied.
/// </remarks>
public static class Bt2446C
{
    public const double K1 = 0.83802, K2 = 15.09968, K3 = 0.74204, K4 = 78.99439;

    /// <summary>HDR luminance of the inflection point, cd/m²: 58.5 / k1 ≈ 69.81 (SDR 58.5 cd/m² = 100·0.8^2.4).</summary>
    public const double HdrInflection = 58.5 / K1;

    /// <summary>Default crosstalk α; the report allows 0 ≤ α ≤ 0.33 and gives no single value.</summary>
    public const double DefaultAlpha = 0.05;

    private const double Kr = 0.2627, Kg = 0.6780, Kb = 0.0593;

    /// <summary>Equation 7: HDR luminance in cd/m² (≥ 0) → SDR luminance in cd/m² (unclipped, ≈ 118.4 at 1 000).</summary>
    public static double ToneCurve(double yHdr)
    {
        if (double.IsNaN(yHdr)) return yHdr;
        if (yHdr <= 0) return 0;
        return yHdr < HdrInflection ? K1 * yHdr : K2 * Math.Log(yHdr / HdrInflection - K3) + K4;
    }

    /// <summary>
    /// One pixel: linear BT.2020 RGB in cd/m² → SDR BT.709 code values in [0, 1] (BT.1886, γ 2.4,
    /// display white <paramref name="sdrWhite"/> cd/m²).
    /// </summary>
    public static (double R, double G, double B) ToSdr(double r, double g, double b, double alpha = DefaultAlpha, double sdrWhite = 100.0)
    {
        var (lr, lg, lb) = ToSdrLinear(r, g, b, alpha, sdrWhite);
        var (r7, g7, b7) = ColourSpaces.Bt2020ToBt709.Transform(lr, lg, lb);
        return (Encode(r7), Encode(g7), Encode(b7));

        static double Encode(double l) => double.IsNaN(l) ? 0 : Math.Pow(Math.Clamp(l, 0.0, 1.0), 1 / 2.4);
    }

    /// <summary>
    /// Frame HDR→SDR: PQ BT.2020 code values [0, 1] (or linear BT.2020 cd/m², per
    /// <paramref name="encoding"/>) → a new frame of SDR BT.709 code values in [0, 1].
    /// </summary>
    public static RgbPlanarFrame ToSdr(RgbPlanarFrame hdr, HdrEncoding encoding = HdrEncoding.Pq, double alpha = DefaultAlpha,
        double sdrWhite = 100.0, CancellationToken cancellationToken = default)
    {
        var output = new RgbPlanarFrame(hdr.Width, hdr.Height);
        FrameRows.ForBands(hdr.Width, hdr.Height, cancellationToken, (start, count) =>
        {
            for (int i = start; i < start + count; i++)
            {
                var (r, g, b) = SdrOutput.ReadLinear(hdr, i, encoding);
                var (lr, lg, lb) = ToSdrLinear(r, g, b, alpha, sdrWhite);
                SdrOutput.WriteBt709(output, i, lr, lg, lb);
            }
        });
        return output;
    }

    /// <summary>Tone-mapped linear BT.2020 RGB relative to SDR white (1 = <paramref name="sdrWhite"/>).</summary>
    private static (double R, double G, double B) ToSdrLinear(double r, double g, double b, double alpha, double sdrWhite)
    {
        if (alpha is < 0 or > 1.0 / 3) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "BT.2446 Method C needs 0 ≤ α ≤ 0.33.");
        r = Math.Max(r, 0);
        g = Math.Max(g, 0);
        b = Math.Max(b, 0);
        // Luminance of the crosstalked RGB: K·X·rgb, with X = (1 − 3α)·I + α·ones.
        double sum = r + g + b;
        double y = (1 - 3 * alpha) * (Kr * r + Kg * g + Kb * b) + alpha * sum;
        if (!(y > 0)) return (0, 0, 0);
        double scale = Math.Min(ToneCurve(y), sdrWhite) / (y * sdrWhite);
        return (r * scale, g * scale, b * scale);
    }
}
