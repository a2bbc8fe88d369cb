using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics.Tests;

public class SsimTests
{
    // ── Independent reference: direct 2-D windows with straightforward loops ─────────────────
    // Deliberately not the library's algorithm: no separable passes, no E[x²] − μ² shortcut; means
    // first, then a second pass over (x − μ)², i.e. the textbook definitions.

    private static double HandSsimPlane(RgbPlanarFrame a, RgbPlanarFrame b, int c, double[,] w, bool sampleStats, double dataRange)
    {
        int k = w.GetLength(0);
        double c1 = Math.Pow(0.01 * dataRange, 2), c2 = Math.Pow(0.03 * dataRange, 2);
        double sum = 0;
        int count = 0;
        for (int top = 0; top + k <= a.Height; top++)
            for (int left = 0; left + k <= a.Width; left++)
            {
                double mx = 0, my = 0;
                for (int u = 0; u < k; u++)
                    for (int v = 0; v < k; v++)
                    {
                        mx += w[u, v] * a[c, top + u, left + v];
                        my += w[u, v] * b[c, top + u, left + v];
                    }
                double vx = 0, vy = 0, vxy = 0;
                for (int u = 0; u < k; u++)
                    for (int v = 0; v < k; v++)
                    {
                        double dx = a[c, top + u, left + v] - mx, dy = b[c, top + u, left + v] - my;
                        vx += w[u, v] * dx * dx;
                        vy += w[u, v] * dy * dy;
                        vxy += w[u, v] * dx * dy;
                    }
                if (sampleStats)
                {
                    // Uniform weights 1/N: Σ(x−μ)²/N → Σ(x−μ)²/(N−1).
                    double n = k * k;
                    vx *= n / (n - 1); vy *= n / (n - 1); vxy *= n / (n - 1);
                }
                sum += (2 * mx * my + c1) * (2 * vxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                count++;
            }
        return sum / count;
    }

    private static double HandSsim(RgbPlanarFrame a, RgbPlanarFrame b, SsimMode mode)
    {
        double[,] w;
        if (mode == SsimMode.Paper)
        {
            w = new double[7, 7];
            for (int u = 0; u < 7; u++)
                for (int v = 0; v < 7; v++)
                    w[u, v] = 1.0 / 49;
        }
        else
        {
            // 2-D Gaussian σ = 1.5 on an 11×11 grid, normalised to sum 1 (Wang et al. 2004).
            w = new double[11, 11];
            double s = 0;
            for (int u = 0; u < 11; u++)
                for (int v = 0; v < 11; v++)
                    s += w[u, v] = Math.Exp(-((u - 5) * (u - 5) + (v - 5) * (v - 5)) / (2 * 1.5 * 1.5));
            for (int u = 0; u < 11; u++)
                for (int v = 0; v < 11; v++)
                    w[u, v] /= s;
        }
        bool paper = mode == SsimMode.Paper;
        double total = 0;
        for (int c = 0; c < 3; c++)
            total += HandSsimPlane(a, b, c, w, sampleStats: paper, dataRange: paper ? 2.0 : 1.0);
        return total / 3;
    }

    [Theory]
    [InlineData(SsimMode.Paper, 9, 9)]     // 3×3 windows
    [InlineData(SsimMode.Paper, 8, 8)]     // 2×2 windows
    [InlineData(SsimMode.Paper, 70, 13)]   // wider than one vector, odd tail
    [InlineData(SsimMode.Standard, 13, 12)]
    [InlineData(SsimMode.Standard, 11, 11)] // exactly one window
    [InlineData(SsimMode.Standard, 40, 75)] // more than one 64-row band
    [InlineData(SsimMode.Paper, 9, 140)]    // three bands
    public void Matches_direct_window_computation(SsimMode mode, int width, int height)
    {
        var gt = TestFrames.Lcg(width, height, 7);
        var pred = TestFrames.Noisy(gt, 99);
        double expected = HandSsim(pred, gt, mode);
        Assert.Equal(expected, Ssim.Compute(pred, gt, mode), 12);
        // Unrelated frames too: low, possibly negative SSIM is where formula slips show.
        var other = TestFrames.Lcg(width, height, 12345);
        Assert.Equal(HandSsim(other, gt, mode), Ssim.Compute(other, gt, mode), 12);
    }

    // Reference values produced once by crosscheck/reference.py with Debian's python3-skimage 0.19.3
    // (numpy 1.24.2, scipy 1.10.1) on the same LCG frames (gt = Lcg(32, 24, 7)); the script is not
    // run by the test suite.
    //   Paper:    structural_similarity(gt, pred, channel_axis=2)   (float → data range 2, 7×7, sample stats)
    //   Standard: ... gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1
    // "f64" = the same values passed as float64: skimage then does exact double arithmetic, as we do
    // (and as skimage ≤ 0.18 always did) → tight tolerance. "f32" = float32 input as in the official
    // script: skimage 0.19 then filters in float32, which moves the result by ~1e-8…1e-7 → 1e-6.
    [Theory]
    [InlineData(SsimMode.Paper, 99u, 0.9987399210642294, 0.9987398982048035)]       // noisy copy
    [InlineData(SsimMode.Standard, 99u, 0.9986708393553533, 0.9986708164215088)]
    [InlineData(SsimMode.Paper, 0u, 0.014252150545730424, 0.014252136461436749)]    // unrelated Lcg(32, 24, 12345)
    [InlineData(SsimMode.Standard, 0u, -0.004881224339654082, -0.004881227854639292)]
    public void Matches_scikit_image_0_19(SsimMode mode, uint noiseSeed, double skimageF64, double skimageF32)
    {
        var gt = TestFrames.Lcg(32, 24, 7);
        var pred = noiseSeed != 0 ? TestFrames.Noisy(gt, noiseSeed) : TestFrames.Lcg(32, 24, 12345);
        double ours = Ssim.Compute(pred, gt, mode);
        Assert.Equal(skimageF64, ours, 1e-12);
        Assert.Equal(skimageF32, ours, 1e-6);
    }

    [Theory]
    [InlineData(SsimMode.Paper)]
    [InlineData(SsimMode.Standard)]
    public void Identical_frames_give_one(SsimMode mode)
    {
        var f = TestFrames.Lcg(23, 17, 3);
        Assert.Equal(1.0, Ssim.Compute(f, f.Clone(), mode), 12);
    }

    [Theory]
    // Constant frames a, b: all variances and the covariance are 0, so
    // SSIM = (2ab + C1)/(a² + b² + C1) · C2/C2 with C1 = (0.01·range)².
    // a = 0.25, b = 0.5 (exact in float32): Paper C1 = 4e-4 → 0.2504/0.3129; Standard C1 = 1e-4 → 0.2501/0.3126.
    [InlineData(SsimMode.Paper, 0.25f, 0.5f, 0.2504 / 0.3129)]
    [InlineData(SsimMode.Standard, 0.25f, 0.5f, 0.2501 / 0.3126)]
    // Both black: 0·0 + C1 over C1 → exactly 1, no 0/0.
    [InlineData(SsimMode.Paper, 0f, 0f, 1.0)]
    [InlineData(SsimMode.Standard, 0f, 0f, 1.0)]
    // Black vs white: C1 / (1 + C1).
    [InlineData(SsimMode.Paper, 0f, 1f, 4e-4 / 1.0004)]
    public void Constant_frames_follow_the_closed_form(SsimMode mode, float a, float b, double expected)
    {
        Assert.Equal(expected, Ssim.Compute(TestFrames.Constant(12, 14, a), TestFrames.Constant(12, 14, b), mode), 12);
    }

    [Fact]
    public void Constant_offset_keeps_structure_term_at_one()
    {
        // y = x + d leaves every variance and covariance unchanged (σxy = σx² = σy²), so the
        // contrast-structure factor is exactly 1 and SSIM is the mean of the luminance factor
        // (2μ(μ+d) + C1)/(μ² + (μ+d)² + C1); for a constant x = μ that is one closed-form value.
        // d = 0.125 and μ = 0.375 are exact in float32: (2·0.375·0.5 + 4e-4)/(0.140625 + 0.25 + 4e-4).
        var x = TestFrames.Constant(10, 10, 0.375f);
        var y = TestFrames.Constant(10, 10, 0.5f);
        Assert.Equal(0.3754 / 0.391025, Ssim.Compute(y, x, SsimMode.Paper), 12);
    }

    [Fact]
    public void Parallel_and_serial_give_bit_identical_results()
    {
        var gt = TestFrames.Lcg(100, 300, 5);
        var pred = TestFrames.Noisy(gt, 6);
        foreach (var mode in new[] { SsimMode.Paper, SsimMode.Standard })
            Assert.Equal(Ssim.Compute(pred, gt, mode, parallel: false), Ssim.Compute(pred, gt, mode, parallel: true));
    }

    [Fact]
    public void Paper_mode_is_higher_than_data_range_one()
    {
        // Spec §13: data range 2 quadruples C1 and C2, which raises SSIM on the same frames. The
        // Standard mode (range 1, Gaussian) is not the same formula, so compare with the hand
        // reference at range 1 and the uniform window.
        var gt = TestFrames.Lcg(20, 20, 11);
        var pred = TestFrames.Noisy(gt, 12);
        var w = new double[7, 7];
        for (int u = 0; u < 7; u++)
            for (int v = 0; v < 7; v++)
                w[u, v] = 1.0 / 49;
        double range1 = (HandSsimPlane(pred, gt, 0, w, true, 1.0) + HandSsimPlane(pred, gt, 1, w, true, 1.0) + HandSsimPlane(pred, gt, 2, w, true, 1.0)) / 3;
        Assert.True(Ssim.Compute(pred, gt, SsimMode.Paper) > range1);
    }

    [Theory]
    [InlineData(SsimMode.Paper, 6, 20)]
    [InlineData(SsimMode.Paper, 20, 6)]
    [InlineData(SsimMode.Standard, 10, 30)]
    [InlineData(SsimMode.Standard, 30, 10)]
    public void Frames_smaller_than_the_window_are_rejected(SsimMode mode, int width, int height)
    {
        var f = TestFrames.Lcg(width, height, 1);
        var ex = Assert.Throws<ArgumentException>(() => Ssim.Compute(f, f.Clone(), mode));
        Assert.Contains("window", ex.Message);
    }

    [Fact]
    public void ComputePlane_is_the_per_channel_value()
    {
        var gt = TestFrames.Lcg(12, 10, 21);
        var pred = TestFrames.Noisy(gt, 22);
        int n = gt.PixelCount;
        double mean = 0;
        for (int c = 0; c < 3; c++)
            mean += Ssim.ComputePlane(pred.Data.AsMemory(c * n, n), gt.Data.AsMemory(c * n, n), 12, 10, SsimMode.Paper);
        Assert.Equal(Ssim.Compute(pred, gt, SsimMode.Paper), mean / 3, 14);
        Assert.Throws<ArgumentException>(() => Ssim.ComputePlane(pred.Data.AsMemory(0, n), gt.Data.AsMemory(0, n - 1), 12, 10));
    }

    [Fact]
    public void Size_mismatch_is_an_argument_exception() =>
        Assert.Throws<ArgumentException>(() => Ssim.Compute(new RgbPlanarFrame(20, 20), new RgbPlanarFrame(20, 21)));

    [Fact]
    public void Nan_input_gives_nan()
    {
        var gt = TestFrames.Lcg(16, 16, 4);
        var pred = gt.Clone();
        pred[0, 8, 8] = float.NaN;
        Assert.True(double.IsNaN(Ssim.Compute(pred, gt, SsimMode.Paper)));
        Assert.True(double.IsNaN(Ssim.Compute(pred, gt, SsimMode.Standard)));
    }

    [Fact]
    public void Windows_are_normalised()
    {
        Assert.Equal(1.0, Ssim.Window(SsimMode.Paper).Sum(), 14);
        Assert.Equal(1.0, Ssim.Window(SsimMode.Standard).Sum(), 14);
        Assert.Equal(7, Ssim.Window(SsimMode.Paper).Length);
        // Centre tap of the normalised 1-D Gaussian σ = 1.5 over −5…5: 1/Σexp(−d²/4.5) = 0.26608524...,
        // computed independently: Σ = 1 + 2(e^−1/4.5 + e^−4/4.5 + e^−9/4.5 + e^−16/4.5 + e^−25/4.5).
        double s = 1;
        for (int d = 1; d <= 5; d++)
            s += 2 * Math.Exp(-d * d / 4.5);
        Assert.Equal(1 / s, Ssim.Window(SsimMode.Standard)[5], 15);
    }
}
