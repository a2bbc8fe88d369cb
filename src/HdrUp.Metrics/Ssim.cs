using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics;

/// <summary>Which SSIM protocol to reproduce; the two give different numbers on the same frames.</summary>
public enum SsimMode
{
    /// <summary>
    /// The KPNet paper protocol (spec §13): scikit-image ≤ 0.19 <c>structural_similarity</c> defaults on
    /// float RGB. Per channel a 7×7 uniform window, sample statistics (×49/48), K1 = 0.01, K2 = 0.03,
    /// data range 2.0 (scikit-image's assumed −1…1 for floats) so C1 = 0.02², C2 = 0.06²; mean over the
    /// (H−6)×(W−6) interior, then over the three channels.
    /// </summary>
    Paper,

    /// <summary>
    /// Wang, Bovik, Sheikh, Simoncelli, "Image quality assessment: from error visibility to structural
    /// similarity", IEEE TIP 13(4), 2004: 11×11 Gaussian window σ = 1.5 (normalised), population
    /// statistics, K1 = 0.01, K2 = 0.03, data range 1. Border: only windows lying fully inside the
    /// frame are used (the reference MATLAB <c>ssim_index</c> uses <c>filter2(..., 'valid')</c>), i.e.
    /// the (H−10)×(W−10) interior; per RGB channel, averaged over the three channels.
    /// </summary>
    Standard,
}

/// <summary>
/// Mean structural similarity of two RGB frames. Expected input: code values in [0, 1]
/// (PQ BT.2020 / 65535 for the paper); the constants assume that range.
/// <para>
/// Edge cases: identical frames → exactly 1 up to rounding; constant frames (zero variance) are well
/// defined thanks to C1, C2 (two constants a, b give (2ab + C1)/(a² + b² + C1)); a frame smaller than
/// the window in either direction → <see cref="ArgumentException"/>; any NaN input → NaN.
/// </para>
/// <para>
/// Implementation: only windows fully inside the frame are ever needed in both modes, so the
/// separable filters run in "valid" mode and no border rule exists. Statistics are accumulated in
/// double (scikit-image also works in float64), so variances computed as E[x²] − μ² do not cancel
/// badly. Rows are processed in fixed bands whose partial sums are added in band order, so the result
/// does not depend on the number of threads.
/// </para>
/// </summary>
public static class Ssim
{
    private const int BandRows = 64;

    public static double Compute(RgbPlanarFrame pred, RgbPlanarFrame gt, SsimMode mode = SsimMode.Paper, bool parallel = true)
    {
        FrameChecks.RequireSameSize(pred, gt);
        var settings = Settings.For(mode);
        RequireWindowFits(pred.Width, pred.Height, settings.Kernel.Length, mode);
        int n = pred.PixelCount;
        double sum = 0;
        for (int c = 0; c < 3; c++)
            sum += PlaneMean(pred.Data.AsMemory(c * n, n), gt.Data.AsMemory(c * n, n), pred.Width, pred.Height, settings, parallel);
        return sum / 3.0;
    }

    /// <summary>Mean SSIM of one plane (row-major, <paramref name="width"/>×<paramref name="height"/>).</summary>
    public static double ComputePlane(ReadOnlyMemory<float> x, ReadOnlyMemory<float> y, int width, int height,
        SsimMode mode = SsimMode.Paper, bool parallel = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (x.Length != (long)width * height || y.Length != x.Length)
            throw new ArgumentException($"Both planes must hold {width}×{height} values (got {x.Length} and {y.Length}).", nameof(x));
        var settings = Settings.For(mode);
        RequireWindowFits(width, height, settings.Kernel.Length, mode);
        return PlaneMean(x, y, width, height, settings, parallel);
    }

    /// <summary>The 1-D window of a mode; the 2-D window is its outer product with itself.</summary>
    public static double[] Window(SsimMode mode) => (double[])Settings.For(mode).Kernel.Clone();

    private static void RequireWindowFits(int width, int height, int k, SsimMode mode)
    {
        if (width < k || height < k)
            throw new ArgumentException(
                $"SSIM ({mode}) needs frames of at least {k}×{k} pixels for its {k}×{k} window; got {width}×{height}.");
    }

    private sealed record Settings(double[] Kernel, double CovNorm, double C1, double C2)
    {
        private static readonly Settings PaperSettings = Create(
            Enumerable.Repeat(1.0 / 7.0, 7).ToArray(),
            covNorm: 49.0 / 48.0, // skimage use_sample_covariance=True: NP / (NP − 1) with NP = 7·7
            dataRange: 2.0);      // skimage ≤ 0.19 dtype_range[float] = (−1, 1)

        private static readonly Settings StandardSettings = Create(Gaussian(11, 1.5), covNorm: 1.0, dataRange: 1.0);

        public static Settings For(SsimMode mode) => mode switch
        {
            SsimMode.Paper => PaperSettings,
            SsimMode.Standard => StandardSettings,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
        };

        private static Settings Create(double[] kernel, double covNorm, double dataRange)
        {
            double c1 = 0.01 * dataRange, c2 = 0.03 * dataRange;
            return new Settings(kernel, covNorm, c1 * c1, c2 * c2);
        }

        private static double[] Gaussian(int size, double sigma)
        {
            var k = new double[size];
            double sum = 0;
            for (int i = 0; i < size; i++)
            {
                double d = i - (size - 1) / 2.0;
                k[i] = Math.Exp(-d * d / (2 * sigma * sigma));
                sum += k[i];
            }
            for (int i = 0; i < size; i++)
                k[i] /= sum;
            return k;
        }
    }

    private static double PlaneMean(ReadOnlyMemory<float> x, ReadOnlyMemory<float> y, int width, int height, Settings s, bool parallel)
    {
        int k = s.Kernel.Length;
        int outW = width - k + 1, outH = height - k + 1;
        int bands = (outH + BandRows - 1) / BandRows;
        var partial = new double[bands];
        if (parallel && bands > 1)
            Parallel.For(0, bands, b => partial[b] = Band(x.Span, y.Span, width, outW, outH, b, s));
        else
            for (int b = 0; b < bands; b++)
                partial[b] = Band(x.Span, y.Span, width, outW, outH, b, s);
        double total = 0;
        foreach (double p in partial)
            total += p;
        return total / ((double)outW * outH);
    }

    /// <summary>Sum of the SSIM map over output rows [b·BandRows, …) of one band.</summary>
    private static double Band(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int width, int outW, int outH, int band, Settings s)
    {
        double[] kernel = s.Kernel;
        int k = kernel.Length;
        int r0 = band * BandRows, r1 = Math.Min(outH, r0 + BandRows);

        // Five statistics: x, y, x², y², xy. Each input row is filtered horizontally into a ring of k
        // rows; each output row is then the kernel-weighted sum of the ring (vertical pass).
        const int Q = 5;
        double[] rowBuf = ArrayPool<double>.Shared.Rent(Q * width);
        double[] ringBuf = ArrayPool<double>.Shared.Rent(Q * k * outW);
        double[] colBuf = ArrayPool<double>.Shared.Rent(Q * outW);
        try
        {
            double total = 0;
            for (int iy = r0; iy < r1 + k - 1; iy++)
            {
                int slot = (iy - r0) % k;
                var xs = x.Slice(iy * width, width);
                var ys = y.Slice(iy * width, width);
                var rx = rowBuf.AsSpan(0, width);
                var ry = rowBuf.AsSpan(width, width);
                var rxx = rowBuf.AsSpan(2 * width, width);
                var ryy = rowBuf.AsSpan(3 * width, width);
                var rxy = rowBuf.AsSpan(4 * width, width);
                for (int i = 0; i < width; i++)
                {
                    double a = xs[i], c = ys[i];
                    rx[i] = a;
                    ry[i] = c;
                    rxx[i] = a * a;
                    ryy[i] = c * c;
                    rxy[i] = a * c;
                }
                for (int q = 0; q < Q; q++)
                    FilterRow(rowBuf.AsSpan(q * width, width), ringBuf.AsSpan((q * k + slot) * outW, outW), kernel);

                if (iy - r0 < k - 1)
                    continue;
                int firstSlot = (iy - k + 1 - r0) % k; // ring slot of the window's top row
                for (int q = 0; q < Q; q++)
                {
                    var acc = colBuf.AsSpan(q * outW, outW);
                    acc.Clear();
                    for (int j = 0; j < k; j++)
                        AddScaled(acc, ringBuf.AsSpan((q * k + (firstSlot + j) % k) * outW, outW), kernel[j]);
                }
                total += SsimRowSum(colBuf, outW, s);
            }
            return total;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rowBuf);
            ArrayPool<double>.Shared.Return(ringBuf);
            ArrayPool<double>.Shared.Return(colBuf);
        }
    }

    private static void FilterRow(ReadOnlySpan<double> src, Span<double> dst, double[] kernel)
    {
        int k = kernel.Length, n = dst.Length, i = 0;
        ref double s0 = ref MemoryMarshal.GetReference(src);
        ref double d0 = ref MemoryMarshal.GetReference(dst);
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<double>.Count <= n; i += Vector<double>.Count)
            {
                var acc = Vector<double>.Zero;
                for (int j = 0; j < k; j++)
                    acc += Vector.LoadUnsafe(ref s0, (nuint)(i + j)) * kernel[j];
                acc.StoreUnsafe(ref d0, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            double acc = 0;
            for (int j = 0; j < k; j++)
                acc += src[i + j] * kernel[j];
            dst[i] = acc;
        }
    }

    private static void AddScaled(Span<double> acc, ReadOnlySpan<double> row, double w)
    {
        int n = acc.Length, i = 0;
        ref double a0 = ref MemoryMarshal.GetReference(acc);
        ref double r0 = ref MemoryMarshal.GetReference(row);
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<double>.Count <= n; i += Vector<double>.Count)
                (Vector.LoadUnsafe(ref a0, (nuint)i) + Vector.LoadUnsafe(ref r0, (nuint)i) * w).StoreUnsafe(ref a0, (nuint)i);
        }
        for (; i < n; i++)
            acc[i] += row[i] * w;
    }

    /// <summary>Sum over one output row of ((2μxμy + C1)(2σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2)).</summary>
    private static double SsimRowSum(double[] col, int n, Settings s)
    {
        ref double mx0 = ref col[0];
        ref double my0 = ref col[n];
        ref double exx0 = ref col[2 * n];
        ref double eyy0 = ref col[3 * n];
        ref double exy0 = ref col[4 * n];
        double cn = s.CovNorm, c1 = s.C1, c2 = s.C2;
        int i = 0;
        double total = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vsum = Vector<double>.Zero;
            var vcn = new Vector<double>(cn);
            var vc1 = new Vector<double>(c1);
            var vc2 = new Vector<double>(c2);
            for (; i + Vector<double>.Count <= n; i += Vector<double>.Count)
            {
                var mx = Vector.LoadUnsafe(ref mx0, (nuint)i);
                var my = Vector.LoadUnsafe(ref my0, (nuint)i);
                var vx = vcn * (Vector.LoadUnsafe(ref exx0, (nuint)i) - mx * mx);
                var vy = vcn * (Vector.LoadUnsafe(ref eyy0, (nuint)i) - my * my);
                var vxy = vcn * (Vector.LoadUnsafe(ref exy0, (nuint)i) - mx * my);
                var num = (2.0 * mx * my + vc1) * (2.0 * vxy + vc2);
                var den = (mx * mx + my * my + vc1) * (vx + vy + vc2);
                vsum += num / den;
            }
            total = Vector.Sum(vsum);
        }
        for (; i < n; i++)
        {
            double mx = Unsafe(ref mx0, i), my = Unsafe(ref my0, i);
            double vx = cn * (Unsafe(ref exx0, i) - mx * mx);
            double vy = cn * (Unsafe(ref eyy0, i) - my * my);
            double vxy = cn * (Unsafe(ref exy0, i) - mx * my);
            total += (2 * mx * my + c1) * (2 * vxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        }
        return total;

        static double Unsafe(ref double r, int i) => System.Runtime.CompilerServices.Unsafe.Add(ref r, i);
    }
}
