using HdrUp.Color.Internal;
using HdrUp.Core;

namespace HdrUp.Color;

/// <summary>
/// Report ITU-R BT.2446-1 (03/2021) conversion Method A: the forward HDR→SDR tone mapping (§4.2,
/// Table 3 steps) and its inverse SDR→HDR tone expansion (Table 4). Both work on BT.2020 signals
/// with a 2.4 gamma, luma Y′ with the BT.2020 weights, and the BT.2020 chroma scales 1.8814 / 1.4746.
/// </summary>
public static class Bt2446A
{
    private const double Kr = 0.2627, Kb = 0.0593, Kg = 1 - Kr - Kb;
    private const double CbScale = 2 * (1 - Kb), CrScale = 2 * (1 - Kr); // 1.8814, 1.4746
    private const double GFromCb = 2 * Kb * (1 - Kb) / Kg, GFromCr = 2 * Kr * (1 - Kr) / Kg; // 0.16455, 0.57135

    // Inverse (Table 4): exponent E(Y″) = a·Y″² + b·Y″ + c on Y″ = 255·Y′, split at T = 70.
    private const double A1 = 1.8712e-5, B1 = -2.7334e-3, C1 = 1.3141;
    private const double A2 = 2.8305e-6, B2 = -7.4622e-4, C2 = 1.2528;
    private const double T = 70.0;
    private const double ChromaGain = 1.075; // S_C = 1.075·Y′_HDR / Y′_SDR

    /// <summary>Peak luminance the inverse mapping produces for SDR white, cd/m² (Table 4: Y′_HDR ∈ [0, 1000]).</summary>
    public const double InversePeak = 1000.0;

    /// <summary>
    /// Table 4 luma expansion: SDR luma Y′ [0, 1] → HDR luma Y′_HDR on the report's [0, 1000] scale
    /// (gamma-2.4 domain: linear luminance is 1000·(Y′_HDR/1000)^2.4 cd/m²). Y′ = 1 gives ≈ 999.8.
    /// </summary>
    public static double ExpandLuma(double ySdr)
    {
        double y = 255.0 * Math.Clamp(ySdr, 0.0, 1.0);
        double e = y <= T ? (A1 * y + B1) * y + C1 : (A2 * y + B2) * y + C2;
        return Math.Pow(y, e);
    }

    /// <summary>
    /// Inverse tone mapping of one pixel: SDR BT.2020 R′G′B′ (gamma 2.4 encoded) in [0, 1] →
    /// linear BT.2020 RGB in cd/m², [0, 1000].
    /// </summary>
    public static (double R, double G, double B) InverseToneMap(double r, double g, double b)
    {
        double y = Kr * r + Kg * g + Kb * b;
        double cb = (b - y) / CbScale, cr = (r - y) / CrScale;
        double yHdr = ExpandLuma(y);
        double sc = y > 0 ? ChromaGain * yHdr / y : 1.0;
        cb *= sc;
        cr *= sc;
        return (ToLinear(yHdr + CrScale * cr), ToLinear(yHdr - GFromCb * cb - GFromCr * cr), ToLinear(yHdr + CbScale * cb));

        static double ToLinear(double v) => InversePeak * Math.Pow(Math.Clamp(v, 0.0, InversePeak) / InversePeak, 2.4);
    }

    /// <summary>
    /// Full SDR→HDR pixel: SDR BT.709 code values [0, 1] → PQ BT.2020 code values [0, 1]. The SDR
    /// signal is taken to gamma-2.4 linear light (BT.1886, black 0), converted BT.709 → BT.2020 and
    /// re-encoded with 1/2.4, which is the BT.2020-gamut SDR input Table 4 expects.
    /// </summary>
    public static (double R, double G, double B) SdrToPq(double r, double g, double b)
    {
        var (lr, lg, lb) = ColourSpaces.Bt709ToBt2020.Transform(Gamma(r), Gamma(g), Gamma(b));
        var (hr, hg, hb) = InverseToneMap(Encode(lr), Encode(lg), Encode(lb));
        return (St2084.InverseEotf(hr), St2084.InverseEotf(hg), St2084.InverseEotf(hb));

        static double Gamma(double v) => Math.Pow(Math.Clamp(v, 0.0, 1.0), 2.4);
        static double Encode(double l) => Math.Pow(Math.Clamp(l, 0.0, 1.0), 1 / 2.4);
    }

    // Forward (§4.2): ρ(L) = 1 + 32·(L/10 000)^(1/2.4) sets the perceptual log curve for L_HDR and L_SDR.
    private static double Rho(double l) => 1.0 + 32.0 * Math.Pow(l / 10000.0, 1 / 2.4);

    /// <summary>
    /// Forward tone mapping of one pixel: linear BT.2020 RGB in cd/m² (the content's peak
    /// <paramref name="hdrPeak"/> maps to SDR white) → SDR BT.2020 R′G′B′ with gamma 2.4, [0, 1].
    /// Steps: E′ = (E/L_HDR)^(1/2.4); Y′_p = log(1 + (ρ_HDR − 1)·Y′)/log ρ_HDR; knee
    /// Y′_c = 1.0770·Y′_p | −1.1510·Y′_p² + 2.7811·Y′_p − 0.6302 | 0.5·Y′_p + 0.5 (breaks 0.7399, 0.9909);
    /// Y′_SDR = (ρ_SDR^Y′_c − 1)/(ρ_SDR − 1); chroma × Y′_SDR/(1.1·Y′); Y′_TMO = Y′_SDR − max(0.1·Cr, 0).
    /// </summary>
    public static (double R, double G, double B) ToneMap(double r, double g, double b, double hdrPeak = 1000.0, double sdrPeak = 100.0)
    {
        double rp = Math.Pow(Math.Clamp(r / hdrPeak, 0, 1), 1 / 2.4);
        double gp = Math.Pow(Math.Clamp(g / hdrPeak, 0, 1), 1 / 2.4);
        double bp = Math.Pow(Math.Clamp(b / hdrPeak, 0, 1), 1 / 2.4);
        double y = Kr * rp + Kg * gp + Kb * bp;
        if (!(y > 0)) return (0, 0, 0);
        double rhoH = Rho(hdrPeak), rhoS = Rho(sdrPeak);
        double yp = Math.Log(1 + (rhoH - 1) * y) / Math.Log(rhoH);
        double yc = yp <= 0.7399 ? 1.0770 * yp
            : yp < 0.9909 ? (-1.1510 * yp + 2.7811) * yp - 0.6302
            : 0.5 * yp + 0.5;
        double ySdr = (Math.Pow(rhoS, yc) - 1) / (rhoS - 1);
        double f = ySdr / (1.1 * y);
        double cb = f * (bp - y) / CbScale, cr = f * (rp - y) / CrScale;
        double yTmo = ySdr - Math.Max(0.1 * cr, 0);
        return (Math.Clamp(yTmo + CrScale * cr, 0, 1),
                Math.Clamp(yTmo - GFromCb * cb - GFromCr * cr, 0, 1),
                Math.Clamp(yTmo + CbScale * cb, 0, 1));
    }

    /// <summary>
    /// Forward HDR→SDR frame: PQ BT.2020 code values (or linear cd/m², per <paramref name="encoding"/>)
    /// → SDR BT.709 code values in [0, 1] (gamma 2.4; BT.2020→BT.709 by matrix and clipping, no
    /// BT.2407 gamut mapping).
    /// </summary>
    public static RgbPlanarFrame ToSdr(RgbPlanarFrame hdr, HdrEncoding encoding = HdrEncoding.Pq, double hdrPeak = 1000.0,
        CancellationToken cancellationToken = default)
    {
        var output = new RgbPlanarFrame(hdr.Width, hdr.Height);
        FrameRows.ForBands(hdr.Width, hdr.Height, cancellationToken, (start, count) =>
        {
            for (int i = start; i < start + count; i++)
            {
                var (r, g, b) = SdrOutput.ReadLinear(hdr, i, encoding);
                var (sr, sg, sb) = ToneMap(r, g, b, hdrPeak);
                SdrOutput.WriteBt709(output, i, Math.Pow(sr, 2.4), Math.Pow(sg, 2.4), Math.Pow(sb, 2.4));
            }
        });
        return output;
    }
}

/// <summary>
/// Frame version of <see cref="Bt2446A.SdrToPq"/>: SDR BT.709 code values [0, 1] in, PQ BT.2020
/// code values [0, 1] out, SDR white at ≈ 1000 cd/m² (PQ ≈ 0.7518).
/// </summary>
public sealed class Bt2446AInverseMapper : IFrameMapper
{
    public string Name => "bt2446a";

    public RgbPlanarFrame Map(RgbPlanarFrame input, CancellationToken cancellationToken = default)
    {
        var output = new RgbPlanarFrame(input.Width, input.Height);
        FrameRows.ForBands(input.Width, input.Height, cancellationToken, (start, count) =>
        {
            Span<float> ir = input.Plane(0), ig = input.Plane(1), ib = input.Plane(2);
            Span<float> outR = output.Plane(0), outG = output.Plane(1), outB = output.Plane(2);
            for (int i = start; i < start + count; i++)
            {
                var (r, g, b) = Bt2446A.SdrToPq(ir[i], ig[i], ib[i]);
                outR[i] = (float)r;
                outG[i] = (float)g;
                outB[i] = (float)b;
            }
        });
        return output;
    }
}

/// <summary>How an HDR frame's values are encoded.</summary>
public enum HdrEncoding
{
    /// <summary>PQ (ST 2084) BT.2020 code values in [0, 1].</summary>
    Pq,

    /// <summary>Linear BT.2020 light in absolute cd/m².</summary>
    LinearCdm2,
}

/// <summary>Shared input/output stages of the HDR→SDR tone mappers.</summary>
internal static class SdrOutput
{
    public static (double R, double G, double B) ReadLinear(RgbPlanarFrame frame, int i, HdrEncoding encoding)
    {
        int n = frame.PixelCount;
        double r = frame.Data[i], g = frame.Data[n + i], b = frame.Data[2 * n + i];
        return encoding == HdrEncoding.Pq ? (St2084.Eotf(r), St2084.Eotf(g), St2084.Eotf(b)) : (r, g, b);
    }

    /// <summary>Linear BT.2020 relative to SDR white (1 = white) → BT.709, clipped to [0, 1], BT.1886 (γ 2.4) code values.</summary>
    public static void WriteBt709(RgbPlanarFrame frame, int i, double r, double g, double b)
    {
        var (r7, g7, b7) = ColourSpaces.Bt2020ToBt709.Transform(r, g, b);
        int n = frame.PixelCount;
        frame.Data[i] = Encode(r7);
        frame.Data[n + i] = Encode(g7);
        frame.Data[2 * n + i] = Encode(b7);
    }

    private static float Encode(double l) => double.IsNaN(l) ? 0f : (float)Math.Pow(Math.Clamp(l, 0.0, 1.0), 1 / 2.4);
}
