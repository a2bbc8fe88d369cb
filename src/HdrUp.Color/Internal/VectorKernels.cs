using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HdrUp.Color.Internal;

/// <summary>
/// One element-wise transform with a double-precision reference path and a SIMD float path.
/// Implemented by small structs so that <see cref="SpanKernels.Apply{TOp}"/> is specialised per
/// transform by the JIT (no delegate call, no allocation per call).
/// </summary>
internal interface IUnaryKernel
{
    double Scalar(double x);
    Vector<float> Vector(Vector<float> x);
}

internal static class SpanKernels
{
    /// <summary>Applies <paramref name="op"/> element-wise; <paramref name="destination"/> may be the same span as <paramref name="source"/>.</summary>
    public static void Apply<TOp>(in TOp op, ReadOnlySpan<float> source, Span<float> destination)
        where TOp : struct, IUnaryKernel
    {
        if (destination.Length < source.Length)
            throw new ArgumentException($"Destination holds {destination.Length} values, source {source.Length}.", nameof(destination));
        int n = source.Length, i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            ref float src = ref MemoryMarshal.GetReference(source);
            ref float dst = ref MemoryMarshal.GetReference(destination);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                op.Vector(System.Numerics.Vector.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        }
        for (; i < n; i++)
            destination[i] = (float)op.Scalar(source[i]);
    }
}

internal static class VectorMath
{
    /// <summary>x^y for x ≥ 0 and y &gt; 0 (0^y = 0 because log 0 = −∞ and exp(−∞) = 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Pow(Vector<float> x, float y) => Vector.Exp(Vector.Log(x) * new Vector<float>(y));

    /// <summary>x^y for x ≥ 0 and y &gt; 0, in double for ill-conditioned formulas.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Pow(Vector<double> x, double y) => Vector.Exp(Vector.Log(x) * new Vector<double>(y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Clamp(Vector<float> x, float min, float max) =>
        Vector.Min(Vector.Max(x, new Vector<float>(min)), new Vector<float>(max));

    /// <summary>
    /// Puts NaN lanes of the input back into the result: the clamps before a power are free to
    /// turn NaN into a number on some instruction sets, and we want NaN to stay visible.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> KeepNaN(Vector<float> input, Vector<float> result) =>
        Vector.ConditionalSelect(Vector.Equals(input, input), result, input);
}
