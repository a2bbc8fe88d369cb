using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics;

/// <summary>
/// Frame ΔE_ITP (ITU-R BT.2124), as in the KPNet paper metrics (spec §13): per pixel, PQ BT.2020
/// code values → PQ EOTF → absolute linear BT.2020 RGB in cd/m² → ICtCp (BT.2100 PQ matrices) →
/// ΔE = 720·√(ΔI² + 0.25·ΔCt² + ΔCp²); the frame value is the mean over pixels.
/// <para>
/// Expected input: PQ BT.2020 code values in [0, 1] (values outside are clamped by
/// <see cref="St2084.Eotf(double)"/>). Identical frames → 0. Any NaN → NaN. The colour maths lives
/// in HdrUp.Color (<see cref="Ictcp"/>, <see cref="DeltaE"/>); this class only walks the frame.
/// </para>
/// </summary>
public static class DeltaEItp
{
    public static double Compute(RgbPlanarFrame pred, RgbPlanarFrame gt, bool parallel = true)
    {
        FrameChecks.RequireSameSize(pred, gt);
        int w = pred.Width, h = pred.Height;
        // One partial sum per row, added in row order: the result is independent of threading.
        var rowSums = new double[h];
        if (parallel)
            Parallel.For(0, h, y => rowSums[y] = RowSum(pred, gt, y));
        else
            for (int y = 0; y < h; y++)
                rowSums[y] = RowSum(pred, gt, y);
        double total = 0;
        foreach (double s in rowSums)
            total += s;
        return total / ((double)w * h);
    }

    private static double RowSum(RgbPlanarFrame pred, RgbPlanarFrame gt, int y)
    {
        int n = pred.PixelCount, w = pred.Width, start = y * w;
        float[] p = pred.Data, g = gt.Data;
        double sum = 0;
        for (int i = start; i < start + w; i++)
        {
            var a = Ictcp.FromPqBt2020(p[i], p[n + i], p[2 * n + i]);
            var b = Ictcp.FromPqBt2020(g[i], g[n + i], g[2 * n + i]);
            sum += DeltaE.Itp(a, b);
        }
        return sum;
    }
}
