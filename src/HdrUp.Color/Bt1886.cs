using System.Numerics;
using HdrUp.Color.Internal;

namespace HdrUp.Color;

/// <summary>
/// ITU-R BT.1886 reference EOTF for SDR flat-panel displays: L = a·max(V + b, 0)^γ, with
/// a = (Lw^(1/γ) − Lb^(1/γ))^γ and b = Lb^(1/γ) / (Lw^(1/γ) − Lb^(1/γ)), γ = 2.4 (Annex 1).
/// V is the normalised video signal ([0, 1] from black to white; above 1 continues), L is in cd/m².
/// </summary>
/// <remarks>
/// Lw and Lb are the display's white and black luminance in cd/m² (defaults 100 and 0; 0 black
/// reduces the EOTF to Lw·V^2.4). Negative V gives Lb (the max(·, 0) of the standard clamps it),
/// luminance below Lb gives V = 0, NaN propagates.
/// </remarks>
public static class Bt1886
{
    public const double Gamma = 2.4;

    /// <summary>Signal V → luminance in cd/m² on a display with white <paramref name="lw"/> and black <paramref name="lb"/>.</summary>
    public static double Eotf(double v, double lw = 100.0, double lb = 0.0)
    {
        var (a, b) = Coefficients(lw, lb);
        return a * Math.Pow(Math.Max(v + b, 0.0), Gamma);
    }

    /// <summary>Luminance in cd/m² → signal V (0 at <paramref name="lb"/>, 1 at <paramref name="lw"/>).</summary>
    public static double InverseEotf(double luminance, double lw = 100.0, double lb = 0.0)
    {
        var (a, b) = Coefficients(lw, lb);
        return Math.Max(Math.Pow(Math.Max(luminance, 0.0) / a, 1.0 / Gamma) - b, 0.0);
    }

    /// <summary>Element-wise <see cref="Eotf(double, double, double)"/>; in place allowed.</summary>
    public static void Eotf(ReadOnlySpan<float> signal, Span<float> luminance, double lw = 100.0, double lb = 0.0)
    {
        var (a, b) = Coefficients(lw, lb);
        SpanKernels.Apply(new EotfKernel(a, b), signal, luminance);
    }

    /// <summary>Element-wise <see cref="InverseEotf(double, double, double)"/>; in place allowed.</summary>
    public static void InverseEotf(ReadOnlySpan<float> luminance, Span<float> signal, double lw = 100.0, double lb = 0.0)
    {
        var (a, b) = Coefficients(lw, lb);
        SpanKernels.Apply(new InverseEotfKernel(a, b), luminance, signal);
    }

    private static (double A, double B) Coefficients(double lw, double lb)
    {
        if (!(lw > lb) || lb < 0)
            throw new ArgumentOutOfRangeException(nameof(lw), $"BT.1886 needs Lw > Lb ≥ 0, got Lw = {lw}, Lb = {lb}.");
        double w = Math.Pow(lw, 1.0 / Gamma), k = Math.Pow(lb, 1.0 / Gamma);
        return (Math.Pow(w - k, Gamma), k / (w - k));
    }

    private readonly struct EotfKernel(double a, double b) : IUnaryKernel
    {
        public double Scalar(double x) => a * Math.Pow(Math.Max(x + b, 0.0), Gamma);

        public Vector<float> Vector(Vector<float> x)
        {
            var y = new Vector<float>((float)a) * VectorMath.Pow(System.Numerics.Vector.Max(x + new Vector<float>((float)b), Vector<float>.Zero), (float)Gamma);
            return VectorMath.KeepNaN(x, y);
        }
    }

    private readonly struct InverseEotfKernel(double a, double b) : IUnaryKernel
    {
        public double Scalar(double x) => Math.Max(Math.Pow(Math.Max(x, 0.0) / a, 1.0 / Gamma) - b, 0.0);

        public Vector<float> Vector(Vector<float> x)
        {
            var l = System.Numerics.Vector.Max(x, Vector<float>.Zero) * new Vector<float>((float)(1.0 / a));
            var y = System.Numerics.Vector.Max(VectorMath.Pow(l, (float)(1.0 / Gamma)) - new Vector<float>((float)b), Vector<float>.Zero);
            return VectorMath.KeepNaN(x, y);
        }
    }
}
