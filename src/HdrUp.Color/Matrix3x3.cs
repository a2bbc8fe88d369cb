using System.Numerics;
using System.Runtime.InteropServices;
using HdrUp.Core;

namespace HdrUp.Color;

/// <summary>A 3×3 double matrix acting on column vectors (RGB or XYZ triples): out = M·in.</summary>
public readonly record struct Matrix3x3(
    double M11, double M12, double M13,
    double M21, double M22, double M23,
    double M31, double M32, double M33)
{
    public static Matrix3x3 Identity => new(1, 0, 0, 0, 1, 0, 0, 0, 1);

    public static Matrix3x3 Diagonal(double a, double b, double c) => new(a, 0, 0, 0, b, 0, 0, 0, c);

    /// <summary>Element at zero-based <paramref name="row"/>, <paramref name="column"/>.</summary>
    public double this[int row, int column] => (row * 3 + column) switch
    {
        0 => M11, 1 => M12, 2 => M13,
        3 => M21, 4 => M22, 5 => M23,
        6 => M31, 7 => M32, 8 => M33,
        _ => throw new ArgumentOutOfRangeException(nameof(row)),
    };

    public static Matrix3x3 operator *(Matrix3x3 a, Matrix3x3 b) => new(
        a.M11 * b.M11 + a.M12 * b.M21 + a.M13 * b.M31, a.M11 * b.M12 + a.M12 * b.M22 + a.M13 * b.M32, a.M11 * b.M13 + a.M12 * b.M23 + a.M13 * b.M33,
        a.M21 * b.M11 + a.M22 * b.M21 + a.M23 * b.M31, a.M21 * b.M12 + a.M22 * b.M22 + a.M23 * b.M32, a.M21 * b.M13 + a.M22 * b.M23 + a.M23 * b.M33,
        a.M31 * b.M11 + a.M32 * b.M21 + a.M33 * b.M31, a.M31 * b.M12 + a.M32 * b.M22 + a.M33 * b.M32, a.M31 * b.M13 + a.M32 * b.M23 + a.M33 * b.M33);

    public double Determinant =>
        M11 * (M22 * M33 - M23 * M32) - M12 * (M21 * M33 - M23 * M31) + M13 * (M21 * M32 - M22 * M31);

    public Matrix3x3 Inverse()
    {
        double det = Determinant;
        if (det == 0 || !double.IsFinite(det)) throw new InvalidOperationException("Matrix is singular.");
        double k = 1.0 / det;
        return new(
            (M22 * M33 - M23 * M32) * k, (M13 * M32 - M12 * M33) * k, (M12 * M23 - M13 * M22) * k,
            (M23 * M31 - M21 * M33) * k, (M11 * M33 - M13 * M31) * k, (M13 * M21 - M11 * M23) * k,
            (M21 * M32 - M22 * M31) * k, (M12 * M31 - M11 * M32) * k, (M11 * M22 - M12 * M21) * k);
    }

    public (double X, double Y, double Z) Transform(double x, double y, double z) =>
        (M11 * x + M12 * y + M13 * z, M21 * x + M22 * y + M23 * z, M31 * x + M32 * y + M33 * z);

    /// <summary>
    /// Applies the matrix to three planes (e.g. the R, G, B planes of an <see cref="RgbPlanarFrame"/>),
    /// in place. SIMD over pixels; coefficients are rounded to float.
    /// </summary>
    public void TransformPlanes(Span<float> p0, Span<float> p1, Span<float> p2)
    {
        int n = p0.Length;
        if (p1.Length != n || p2.Length != n) throw new ArgumentException("All planes must have the same length.");
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<float> a11 = new((float)M11), a12 = new((float)M12), a13 = new((float)M13);
            Vector<float> a21 = new((float)M21), a22 = new((float)M22), a23 = new((float)M23);
            Vector<float> a31 = new((float)M31), a32 = new((float)M32), a33 = new((float)M33);
            ref float r0 = ref MemoryMarshal.GetReference(p0);
            ref float r1 = ref MemoryMarshal.GetReference(p1);
            ref float r2 = ref MemoryMarshal.GetReference(p2);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var x = Vector.LoadUnsafe(ref r0, (nuint)i);
                var y = Vector.LoadUnsafe(ref r1, (nuint)i);
                var z = Vector.LoadUnsafe(ref r2, (nuint)i);
                (a11 * x + a12 * y + a13 * z).StoreUnsafe(ref r0, (nuint)i);
                (a21 * x + a22 * y + a23 * z).StoreUnsafe(ref r1, (nuint)i);
                (a31 * x + a32 * y + a33 * z).StoreUnsafe(ref r2, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float x = p0[i], y = p1[i], z = p2[i];
            p0[i] = (float)(M11 * x + M12 * y + M13 * z);
            p1[i] = (float)(M21 * x + M22 * y + M23 * z);
            p2[i] = (float)(M31 * x + M32 * y + M33 * z);
        }
    }
}
