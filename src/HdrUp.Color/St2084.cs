using System.Numerics;
using HdrUp.Color.Internal;

namespace HdrUp.Color;

/// <summary>
/// SMPTE ST 2084 perceptual quantizer (PQ), as adopted in ITU-R BT.2100 Table 4.
/// Code values are normalised to [0, 1]; luminance is absolute, in cd/m², over [0, 10 000].
/// </summary>
/// <remarks>
/// Edge inputs: values outside the domain are clamped to it (a negative code value or negative
/// light becomes 0, anything above 1 or 10 000 cd/m² becomes the peak), because the PQ curve has no
/// defined continuation (its denominator reaches zero near code value 1.99). NaN stays NaN.
/// Note that <c>InverseEotf(0)</c> is c1^m2 ≈ 7.3e-7, not exactly 0: that is the curve as
/// specified, below half of one 16-bit step.
/// </remarks>
public static class St2084
{
    /// <summary>Peak luminance of the PQ signal, cd/m².</summary>
    public const double PeakLuminance = 10000.0;

    // Constants exactly as written in ST 2084 / BT.2100 (rational numbers, not rounded decimals).
    public const double M1 = 2610.0 / 16384.0;
    public const double M2 = 2523.0 / 4096.0 * 128.0;
    public const double C1 = 3424.0 / 4096.0;
    public const double C2 = 2413.0 / 4096.0 * 32.0;
    public const double C3 = 2392.0 / 4096.0 * 32.0;

    /// <summary>PQ EOTF: code value E′ in [0, 1] → displayed luminance in cd/m² [0, 10 000].</summary>
    public static double Eotf(double codeValue)
    {
        double e = Math.Clamp(codeValue, 0.0, 1.0);
        double ep = Math.Pow(e, 1.0 / M2);
        return PeakLuminance * Math.Pow(Math.Max(ep - C1, 0.0) / (C2 - C3 * ep), 1.0 / M1);
    }

    /// <summary>PQ inverse EOTF: luminance in cd/m² [0, 10 000] → code value E′ in [0, 1].</summary>
    public static double InverseEotf(double luminance)
    {
        double y = Math.Clamp(luminance / PeakLuminance, 0.0, 1.0);
        double ym = Math.Pow(y, M1);
        return Math.Pow((C1 + C2 * ym) / (1.0 + C3 * ym), M2);
    }

    /// <summary>Element-wise <see cref="Eotf(double)"/> in float: code values [0, 1] → cd/m². In place allowed.</summary>
    public static void Eotf(ReadOnlySpan<float> codeValues, Span<float> luminance) =>
        SpanKernels.Apply(new EotfKernel(), codeValues, luminance);

    /// <summary>Element-wise <see cref="InverseEotf(double)"/> in float: cd/m² → code values [0, 1]. In place allowed.</summary>
    public static void InverseEotf(ReadOnlySpan<float> luminance, Span<float> codeValues) =>
        SpanKernels.Apply(new InverseEotfKernel(), luminance, codeValues);

    private readonly struct EotfKernel : IUnaryKernel
    {
        public double Scalar(double x) => Eotf(x);

        // Evaluated in double: c2 − c3·E^(1/m2) cancels to 0.164 at the peak, and a float rounding
        // of E^(1/m2) alone would then cost ~1e-4 relative at 10 000 cd/m².
        public Vector<float> Vector(Vector<float> x)
        {
            System.Numerics.Vector.Widen(VectorMath.Clamp(x, 0f, 1f), out var lo, out var hi);
            var y = System.Numerics.Vector.Narrow(Eval(lo), Eval(hi));
            return VectorMath.KeepNaN(x, y);
        }

        private static Vector<double> Eval(Vector<double> e)
        {
            var ep = VectorMath.Pow(e, 1.0 / M2);
            var num = System.Numerics.Vector.Max(ep - new Vector<double>(C1), Vector<double>.Zero);
            var den = new Vector<double>(C2) - new Vector<double>(C3) * ep;
            return VectorMath.Pow(num / den, 1.0 / M1) * new Vector<double>(PeakLuminance);
        }
    }

    private readonly struct InverseEotfKernel : IUnaryKernel
    {
        public double Scalar(double x) => InverseEotf(x);

        // In double too: the exponent m2 ≈ 78.8 multiplies the float error of log(ratio) into ~3e-6.
        public Vector<float> Vector(Vector<float> x)
        {
            System.Numerics.Vector.Widen(
                VectorMath.Clamp(x * new Vector<float>((float)(1.0 / PeakLuminance)), 0f, 1f), out var lo, out var hi);
            return VectorMath.KeepNaN(x, System.Numerics.Vector.Narrow(Eval(lo), Eval(hi)));
        }

        private static Vector<double> Eval(Vector<double> y)
        {
            var ym = VectorMath.Pow(y, M1);
            var ratio = (new Vector<double>(C1) + new Vector<double>(C2) * ym) / (Vector<double>.One + new Vector<double>(C3) * ym);
            return VectorMath.Pow(ratio, M2);
        }
    }
}
