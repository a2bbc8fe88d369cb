using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics.Tests;

public class DeltaEItpTests
{
    private static RgbPlanarFrame Uniform(int w, int h, float r, float g, float b)
    {
        var f = new RgbPlanarFrame(w, h);
        f.Plane(0).Fill(r);
        f.Plane(1).Fill(g);
        f.Plane(2).Fill(b);
        return f;
    }

    [Fact]
    public void Identical_frames_give_zero()
    {
        var f = TestFrames.Lcg(9, 7, 3);
        Assert.Equal(0.0, DeltaEItp.Compute(f, f.Clone()));
    }

    [Theory]
    // Neutral greys: the BT.2100 RGB→LMS rows each sum to 4096, so L = M = S = Y and
    // I = ½(PQ(Y) + PQ(Y)) = PQ(Y) = the code value itself; the Ct and Cp rows sum to 0, so
    // Ct = Cp = 0. Hence ΔE = 720·|a − b|. Values are exact in float32.
    [InlineData(0.5f, 0.5078125f, 5.625)]        // 720 · 2⁻⁷
    [InlineData(0.25f, 0.75f, 360.0)]           // 720 · 0.5
    public void Neutral_greys_differ_by_720_times_the_pq_step(float a, float b, double expected)
    {
        // Tolerance: the PQ EOTF/inverse-EOTF round trip inside ICtCp, ~1e-12 in code value.
        Assert.Equal(expected, DeltaEItp.Compute(Uniform(4, 3, a, a, a), Uniform(4, 3, b, b, b)), 1e-8);
    }

    [Fact]
    public void Black_to_peak_white_is_just_under_720()
    {
        // Code value 0 is 0 cd/m², but the inverse PQ of 0 cd/m² is c1^m2 ≈ 7.3e-7, not 0 (ST 2084
        // as specified), so I(black) = c1^m2 and ΔE = 720·(1 − c1^m2) ≈ 719.99947.
        double iBlack = Math.Pow(3424.0 / 4096, 2523.0 / 4096 * 128);
        Assert.Equal(720 * (1 - iBlack), DeltaEItp.Compute(Uniform(4, 3, 0, 0, 0), Uniform(4, 3, 1, 1, 1)), 1e-8);
    }

    // Hand computation of one pixel from the published constants, written out here without
    // HdrUp.Color: ST 2084 (m1, m2, c1, c2, c3), BT.2100 Table 6 RGB→LMS and Table 7 L′M′S′→ICtCp
    // (all /4096), BT.2124 ΔE_ITP = 720·√(ΔI² + (½ΔCt)² + ΔCp²).
    private static double[] HandIctcp(double r, double g, double b)
    {
        const double m1 = 2610.0 / 16384, m2 = 2523.0 / 4096 * 128, c1 = 3424.0 / 4096, c2 = 2413.0 / 4096 * 32, c3 = 2392.0 / 4096 * 32;
        static double Eotf(double e, double m1, double m2, double c1, double c2, double c3)
        {
            double ep = Math.Pow(e, 1 / m2);
            return 10000 * Math.Pow(Math.Max(ep - c1, 0) / (c2 - c3 * ep), 1 / m1);
        }
        static double Inverse(double y, double m1, double m2, double c1, double c2, double c3)
        {
            double ym = Math.Pow(y / 10000, m1);
            return Math.Pow((c1 + c2 * ym) / (1 + c3 * ym), m2);
        }
        double R = Eotf(r, m1, m2, c1, c2, c3), G = Eotf(g, m1, m2, c1, c2, c3), B = Eotf(b, m1, m2, c1, c2, c3);
        double L = Inverse((1688 * R + 2146 * G + 262 * B) / 4096, m1, m2, c1, c2, c3);
        double M = Inverse((683 * R + 2951 * G + 462 * B) / 4096, m1, m2, c1, c2, c3);
        double S = Inverse((99 * R + 309 * G + 3688 * B) / 4096, m1, m2, c1, c2, c3);
        return [(2048 * L + 2048 * M) / 4096, (6610 * L - 13613 * M + 7003 * S) / 4096, (17933 * L - 17390 * M - 543 * S) / 4096];
    }

    [Theory]
    [InlineData(0.5f, 0.4f, 0.3f, 0)]   // red raised by 0.05
    [InlineData(0.5f, 0.4f, 0.3f, 2)]   // blue raised by 0.05
    [InlineData(0.1f, 0.6f, 0.7f, 1)]
    public void One_channel_shift_matches_a_hand_computation(float r, float g, float b, int channel)
    {
        var gt = Uniform(5, 2, r, g, b);
        var pred = gt.Clone();
        pred.Plane(channel).Fill(pred.Plane(channel)[0] + 0.05f);
        double[] x = HandIctcp(gt[0, 0, 0], gt[1, 0, 0], gt[2, 0, 0]);
        double[] y = HandIctcp(pred[0, 0, 0], pred[1, 0, 0], pred[2, 0, 0]);
        double expected = 720 * Math.Sqrt(Math.Pow(x[0] - y[0], 2) + 0.25 * Math.Pow(x[1] - y[1], 2) + Math.Pow(x[2] - y[2], 2));
        Assert.True(expected > 1, "the shift must be visible, or the test proves little");
        Assert.Equal(expected, DeltaEItp.Compute(pred, gt), 1e-9);
    }

    [Fact]
    public void Matches_numpy_reference_on_a_varied_frame()
    {
        // 10.563168796537646: crosscheck/reference.py, numpy float64 implementation of the spec §13
        // chain (PQ EOTF → BT.2100 LMS → inverse PQ → ICtCp → BT.2124), mean over the 48 pixels of
        // Lcg(8, 6, 7) vs Noisy(·, 99).
        var gt = TestFrames.Lcg(8, 6, 7);
        var pred = TestFrames.Noisy(gt, 99);
        Assert.Equal(10.563168796537646, DeltaEItp.Compute(pred, gt), 1e-9);
    }

    [Fact]
    public void Parallel_and_serial_give_bit_identical_results()
    {
        var gt = TestFrames.Lcg(37, 29, 8);
        var pred = TestFrames.Noisy(gt, 9);
        Assert.Equal(DeltaEItp.Compute(pred, gt, parallel: false), DeltaEItp.Compute(pred, gt, parallel: true));
    }

    [Fact]
    public void Nan_input_gives_nan()
    {
        var gt = TestFrames.Lcg(4, 4, 2);
        var pred = gt.Clone();
        pred[2, 3, 0] = float.NaN;
        Assert.True(double.IsNaN(DeltaEItp.Compute(pred, gt)));
    }

    [Fact]
    public void Size_mismatch_is_an_argument_exception() =>
        Assert.Throws<ArgumentException>(() => DeltaEItp.Compute(new RgbPlanarFrame(3, 3), new RgbPlanarFrame(3, 4)));
}
