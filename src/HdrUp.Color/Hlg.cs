using System.Numerics;
using HdrUp.Color.Internal;
using HdrUp.Core;

namespace HdrUp.Color;

/// <summary>
/// ITU-R BT.2100 hybrid log-gamma (Table 5). Scene light E is relative, [0, 1]; the signal E′ is
/// [0, 1]; displayed light F_D is absolute, cd/m².
/// </summary>
/// <remarks>
/// Negative inputs are clamped to 0 (BT.2100 defines the curves on [0, 1] only); inputs above 1
/// continue on the log segment; NaN propagates.
/// </remarks>
public static class Hlg
{
    // BT.2100 Table 5: a = 0.17883277, b = 1 − 4a, c = 0.5 − a·ln(4a).
    public const double A = 0.17883277;
    public const double B = 1.0 - 4.0 * A;
    public static readonly double C = 0.5 - A * Math.Log(4.0 * A);

    // BT.2100 luminance weights of the OOTF (BT.2020 primaries).
    private const double Kr = 0.2627, Kg = 0.6780, Kb = 0.0593;

    /// <summary>OETF: scene-linear E [0, 1] → signal E′ [0, 1]; E = 1/12 gives 0.5, E = 1 gives 1.</summary>
    public static double Oetf(double e)
    {
        if (double.IsNaN(e)) return e;
        e = Math.Max(e, 0.0);
        return e <= 1.0 / 12.0 ? Math.Sqrt(3.0 * e) : A * Math.Log(12.0 * e - B) + C;
    }

    /// <summary>Inverse OETF: signal E′ [0, 1] → scene-linear E [0, 1].</summary>
    public static double InverseOetf(double signal)
    {
        if (double.IsNaN(signal)) return signal;
        signal = Math.Max(signal, 0.0);
        return signal <= 0.5 ? signal * signal / 3.0 : (Math.Exp((signal - C) / A) + B) / 12.0;
    }

    /// <summary>
    /// System gamma for a display of nominal peak <paramref name="peakLuminance"/> cd/m²:
    /// γ = 1.2 + 0.42·log10(Lw / 1000) (BT.2100 Table 5 note; specified for 400 to 2 000 cd/m²).
    /// </summary>
    public static double SystemGamma(double peakLuminance) => 1.2 + 0.42 * Math.Log10(peakLuminance / 1000.0);

    /// <summary>
    /// OOTF: scene-linear RGB [0, 1] → display-linear RGB in cd/m², F_D = Lw·Y_S^(γ−1)·E with
    /// Y_S the BT.2020 luminance of the scene light.
    /// </summary>
    public static (double R, double G, double B) Ootf(double r, double g, double b, double peakLuminance = 1000.0)
    {
        double ys = Kr * r + Kg * g + Kb * b;
        double gain = ys > 0 ? peakLuminance * Math.Pow(ys, SystemGamma(peakLuminance) - 1.0) : 0.0;
        if (double.IsNaN(ys)) gain = double.NaN;
        return (gain * r, gain * g, gain * b);
    }

    /// <summary>
    /// Inverse OOTF (BT.2100 Table 5, β = 0): display-linear RGB in cd/m² → scene-linear RGB [0, 1],
    /// E = (Y_D/Lw)^((1−γ)/γ)·F_D/Lw with Y_D the BT.2020 luminance of the display light.
    /// </summary>
    public static (double R, double G, double B) InverseOotf(double r, double g, double b, double peakLuminance = 1000.0)
    {
        double yd = (Kr * r + Kg * g + Kb * b) / peakLuminance;
        double gamma = SystemGamma(peakLuminance);
        double gain = yd > 0 ? Math.Pow(yd, (1.0 - gamma) / gamma) / peakLuminance : 0.0;
        if (double.IsNaN(yd)) gain = double.NaN;
        return (gain * r, gain * g, gain * b);
    }

    /// <summary>
    /// PQ BT.2020 code values → HLG BT.2020 signal, in place, by the display-light conversion of ITU-R BT.2408
    /// (§ 7, PQ to HLG): PQ EOTF to cd/m², hard clip at the HLG display's nominal peak
    /// <paramref name="peakLuminance"/> (1 000 cd/m², where BT.2408 puts HLG reference white 75 % at
    /// 203 cd/m², the same light as PQ reference white), inverse OOTF, OETF.
    /// </summary>
    /// <remarks>Light above the peak is clipped per channel, so callers roll highlights off to the peak first.</remarks>
    public static void FromPq(RgbPlanarFrame frame, double peakLuminance = 1000.0)
    {
        ArgumentNullException.ThrowIfNull(frame);
        St2084.Eotf(frame.Data, frame.Data);
        float lw = (float)peakLuminance;
        Span<float> r = frame.Plane(0), g = frame.Plane(1), b = frame.Plane(2);
        double gamma = SystemGamma(peakLuminance);
        float exponent = (float)((1.0 - gamma) / gamma);
        for (int i = 0; i < r.Length; i++)
        {
            float fr = Math.Clamp(r[i], 0f, lw) / lw, fg = Math.Clamp(g[i], 0f, lw) / lw, fb = Math.Clamp(b[i], 0f, lw) / lw;
            float yd = (float)Kr * fr + (float)Kg * fg + (float)Kb * fb;
            float gain = yd > 0 ? MathF.Pow(yd, exponent) : 0f;
            r[i] = fr * gain;
            g[i] = fg * gain;
            b[i] = fb * gain;
        }
        Oetf(frame.Data, frame.Data);
    }

    /// <summary>
    /// EOTF: signal R′G′B′ [0, 1] → display-linear RGB in cd/m² on a display of peak Lw and black Lb:
    /// OOTF(InverseOetf(max(0, (1 − β)·E′ + β))) with β = √(3·(Lb/Lw)^(1/γ)) (BT.2100-2 Table 5).
    /// </summary>
    public static (double R, double G, double B) Eotf(double r, double g, double b, double peakLuminance = 1000.0, double blackLuminance = 0.0)
    {
        double beta = Beta(peakLuminance, blackLuminance);
        return Ootf(
            InverseOetf(Math.Max(0.0, (1 - beta) * r + beta)),
            InverseOetf(Math.Max(0.0, (1 - beta) * g + beta)),
            InverseOetf(Math.Max(0.0, (1 - beta) * b + beta)),
            peakLuminance);
    }

    /// <summary>Element-wise <see cref="Oetf(double)"/>; in place allowed.</summary>
    public static void Oetf(ReadOnlySpan<float> linear, Span<float> signal) => SpanKernels.Apply(new OetfKernel(), linear, signal);

    /// <summary>Element-wise <see cref="InverseOetf(double)"/>; in place allowed.</summary>
    public static void InverseOetf(ReadOnlySpan<float> signal, Span<float> linear) => SpanKernels.Apply(new InverseOetfKernel(), signal, linear);

    /// <summary>
    /// Planar <see cref="Eotf(double, double, double, double, double)"/>: signal planes in, cd/m² planes
    /// out (the output planes may be the input planes).
    /// </summary>
    public static void Eotf(ReadOnlySpan<float> r, ReadOnlySpan<float> g, ReadOnlySpan<float> b,
        Span<float> outR, Span<float> outG, Span<float> outB, double peakLuminance = 1000.0, double blackLuminance = 0.0)
    {
        int n = r.Length;
        if (g.Length != n || b.Length != n || outR.Length < n || outG.Length < n || outB.Length < n)
            throw new ArgumentException("All planes must have the same length.");
        double beta = Beta(peakLuminance, blackLuminance);
        float scale = (float)(1 - beta);
        // Lift, then the inverse OETF with the SIMD kernel, then the luminance-dependent gain.
        for (int c = 0; c < 3; c++)
        {
            ReadOnlySpan<float> src = c == 0 ? r : c == 1 ? g : b;
            Span<float> dst = c == 0 ? outR : c == 1 ? outG : outB;
            for (int i = 0; i < n; i++) dst[i] = MathF.Max(0f, scale * src[i] + (float)beta);
            InverseOetf(dst[..n], dst);
        }

        float exponent = (float)(SystemGamma(peakLuminance) - 1.0), lw = (float)peakLuminance;
        for (int i = 0; i < n; i++)
        {
            float ys = (float)Kr * outR[i] + (float)Kg * outG[i] + (float)Kb * outB[i];
            float gain = ys > 0 ? lw * MathF.Pow(ys, exponent) : float.IsNaN(ys) ? float.NaN : 0f;
            outR[i] *= gain;
            outG[i] *= gain;
            outB[i] *= gain;
        }
    }

    private static double Beta(double lw, double lb) =>
        lb <= 0 ? 0.0 : Math.Sqrt(3.0 * Math.Pow(lb / lw, 1.0 / SystemGamma(lw)));

    private readonly struct OetfKernel : IUnaryKernel
    {
        public double Scalar(double x) => Oetf(x);

        public Vector<float> Vector(Vector<float> x)
        {
            var e = System.Numerics.Vector.Max(x, Vector<float>.Zero);
            var root = System.Numerics.Vector.SquareRoot(e * new Vector<float>(3f));
            // The log argument 12e − b is negative on the lanes that take the root; those NaNs are discarded by the select.
            var log = new Vector<float>((float)A) * System.Numerics.Vector.Log(e * new Vector<float>(12f) - new Vector<float>((float)B)) + new Vector<float>((float)C);
            var y = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.LessThanOrEqual(e, new Vector<float>(1f / 12f)), root, log);
            return VectorMath.KeepNaN(x, y);
        }
    }

    private readonly struct InverseOetfKernel : IUnaryKernel
    {
        public double Scalar(double x) => InverseOetf(x);

        public Vector<float> Vector(Vector<float> x)
        {
            var v = System.Numerics.Vector.Max(x, Vector<float>.Zero);
            var square = v * v * new Vector<float>(1f / 3f);
            var exp = (System.Numerics.Vector.Exp((v - new Vector<float>((float)C)) * new Vector<float>((float)(1.0 / A))) + new Vector<float>((float)B)) * new Vector<float>(1f / 12f);
            var y = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.LessThanOrEqual(v, new Vector<float>(0.5f)), square, exp);
            return VectorMath.KeepNaN(x, y);
        }
    }
}
