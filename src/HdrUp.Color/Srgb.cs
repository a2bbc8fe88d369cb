using System.Numerics;
using HdrUp.Color.Internal;

namespace HdrUp.Color;

/// <summary>
/// IEC 61966-2-1 sRGB transfer function. Signal V and linear light L are relative, [0, 1].
/// Negative inputs are clamped to 0, values above 1 continue on the power segment, NaN propagates.
/// </summary>
public static class Srgb
{
    // IEC 61966-2-1 constants: 12.92 linear slope, break at 0.04045 (signal) / 0.0031308 (linear).
    private const double SignalBreak = 0.04045, LinearBreak = 0.0031308, Slope = 12.92, Offset = 0.055, Gamma = 2.4;

    /// <summary>Signal V [0, 1] → linear L [0, 1] (relative to display white).</summary>
    public static double Eotf(double v)
    {
        if (double.IsNaN(v)) return v;
        v = Math.Max(v, 0.0);
        return v <= SignalBreak ? v / Slope : Math.Pow((v + Offset) / (1.0 + Offset), Gamma);
    }

    /// <summary>Linear L [0, 1] → signal V [0, 1].</summary>
    public static double InverseEotf(double l)
    {
        if (double.IsNaN(l)) return l;
        l = Math.Max(l, 0.0);
        return l <= LinearBreak ? l * Slope : (1.0 + Offset) * Math.Pow(l, 1.0 / Gamma) - Offset;
    }

    /// <summary>Element-wise <see cref="Eotf(double)"/>; in place allowed.</summary>
    public static void Eotf(ReadOnlySpan<float> signal, Span<float> linear) => SpanKernels.Apply(new EotfKernel(), signal, linear);

    /// <summary>Element-wise <see cref="InverseEotf(double)"/>; in place allowed.</summary>
    public static void InverseEotf(ReadOnlySpan<float> linear, Span<float> signal) => SpanKernels.Apply(new InverseEotfKernel(), linear, signal);

    private readonly struct EotfKernel : IUnaryKernel
    {
        public double Scalar(double x) => Eotf(x);

        public Vector<float> Vector(Vector<float> x)
        {
            var v = System.Numerics.Vector.Max(x, Vector<float>.Zero);
            var pow = VectorMath.Pow((v + new Vector<float>((float)Offset)) * new Vector<float>((float)(1.0 / (1.0 + Offset))), (float)Gamma);
            var lin = v * new Vector<float>((float)(1.0 / Slope));
            var y = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.LessThanOrEqual(v, new Vector<float>((float)SignalBreak)), lin, pow);
            return VectorMath.KeepNaN(x, y);
        }
    }

    private readonly struct InverseEotfKernel : IUnaryKernel
    {
        public double Scalar(double x) => InverseEotf(x);

        public Vector<float> Vector(Vector<float> x)
        {
            var l = System.Numerics.Vector.Max(x, Vector<float>.Zero);
            var pow = new Vector<float>((float)(1.0 + Offset)) * VectorMath.Pow(l, (float)(1.0 / Gamma)) - new Vector<float>((float)Offset);
            var lin = l * new Vector<float>((float)Slope);
            var y = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.LessThanOrEqual(l, new Vector<float>((float)LinearBreak)), lin, pow);
            return VectorMath.KeepNaN(x, y);
        }
    }
}
