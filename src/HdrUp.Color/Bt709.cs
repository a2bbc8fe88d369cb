using System.Numerics;
using HdrUp.Color.Internal;

namespace HdrUp.Color;

/// <summary>
/// ITU-R BT.709-6 opto-electronic transfer function (camera OETF, item 1.2), also used by BT.2020
/// for 10-bit. Scene light L and signal V are relative, 1 = reference white.
/// </summary>
/// <remarks>
/// Constants as printed in BT.709 (1.099, 0.099, 0.018, 4.5, 0.45), not BT.2020's longer α/β: the
/// two segments then meet with a 2.4e-4 step at L = 0.018, which is the standard's own behaviour.
/// Negative inputs are clamped to 0; inputs above 1 continue on the power segment (super-whites);
/// NaN propagates. For displaying SDR use <see cref="Bt1886"/>, not the inverse OETF.
/// </remarks>
public static class Bt709
{
    private const double Alpha = 1.099, AlphaMinus1 = 0.099, Beta = 0.018, LinearGain = 4.5, Exponent = 0.45;
    private const double BetaSignal = LinearGain * Beta; // 0.081

    /// <summary>Scene-linear L (≥ 0, 1 = reference white) → signal V (1 at reference white).</summary>
    public static double Oetf(double l)
    {
        if (double.IsNaN(l)) return l;
        l = Math.Max(l, 0.0);
        return l < Beta ? LinearGain * l : Alpha * Math.Pow(l, Exponent) - AlphaMinus1;
    }

    /// <summary>Signal V (≥ 0) → scene-linear L; the exact inverse of <see cref="Oetf(double)"/> per segment.</summary>
    public static double InverseOetf(double v)
    {
        if (double.IsNaN(v)) return v;
        v = Math.Max(v, 0.0);
        return v < BetaSignal ? v / LinearGain : Math.Pow((v + AlphaMinus1) / Alpha, 1.0 / Exponent);
    }

    /// <summary>Element-wise <see cref="Oetf(double)"/>; in place allowed.</summary>
    public static void Oetf(ReadOnlySpan<float> linear, Span<float> signal) => SpanKernels.Apply(new OetfKernel(), linear, signal);

    /// <summary>Element-wise <see cref="InverseOetf(double)"/>; in place allowed.</summary>
    public static void InverseOetf(ReadOnlySpan<float> signal, Span<float> linear) => SpanKernels.Apply(new InverseOetfKernel(), signal, linear);

    private readonly struct OetfKernel : IUnaryKernel
    {
        public double Scalar(double x) => Oetf(x);

        public Vector<float> Vector(Vector<float> x)
        {
            var l = System.Numerics.Vector.Max(x, Vector<float>.Zero);
            var pow = new Vector<float>((float)Alpha) * VectorMath.Pow(l, (float)Exponent) - new Vector<float>((float)AlphaMinus1);
            var lin = l * new Vector<float>((float)LinearGain);
            var y = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.LessThan(l, new Vector<float>((float)Beta)), lin, pow);
            return VectorMath.KeepNaN(x, y);
        }
    }

    private readonly struct InverseOetfKernel : IUnaryKernel
    {
        public double Scalar(double x) => InverseOetf(x);

        public Vector<float> Vector(Vector<float> x)
        {
            var v = System.Numerics.Vector.Max(x, Vector<float>.Zero);
            var pow = VectorMath.Pow((v + new Vector<float>((float)AlphaMinus1)) * new Vector<float>((float)(1.0 / Alpha)), (float)(1.0 / Exponent));
            var lin = v * new Vector<float>((float)(1.0 / LinearGain));
            var y = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.LessThan(v, new Vector<float>((float)BetaSignal)), lin, pow);
            return VectorMath.KeepNaN(x, y);
        }
    }
}
