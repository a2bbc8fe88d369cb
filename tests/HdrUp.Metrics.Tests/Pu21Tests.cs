using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics.Tests;

public class Pu21Tests
{
    [Theory]
    // PU(0.005) and PU(10000) for banding_glare as tabulated (p_min, p_max, 4–5 significant digits)
    // in VQEG siti-tools (siti_tools/siti.py, oetf_pu21), a port independent of ours.
    [InlineData(0.005, 5.4705e-10, 1e-14)]
    [InlineData(10000.0, 595.3939, 5e-5)]
    // The published formula evaluated in numpy float64 (crosscheck/reference.py); PU(100) ≈ 256 is the
    // reference code's stated design: "0–256 for the luminance range 0.1 to 100 cd/m²".
    [InlineData(100.0, 256.3838973127039, 1e-10)]
    [InlineData(1.0, 36.5439111394192, 1e-10)]
    [InlineData(1000.0, 420.0969213492443, 1e-10)]
    public void Encode_matches_reference_values(double nits, double expected, double tolerance) =>
        Assert.Equal(expected, Pu21.Encode(nits), tolerance);

    [Fact]
    public void Encode_clamps_to_the_valid_range_and_keeps_nan()
    {
        Assert.Equal(Pu21.Encode(0.005), Pu21.Encode(0));
        Assert.Equal(Pu21.Encode(0.005), Pu21.Encode(-3));
        Assert.Equal(Pu21.Encode(10000), Pu21.Encode(20000));
        Assert.Equal(Pu21.Encode(10000), Pu21.EncodedPeak);
        Assert.True(double.IsNaN(Pu21.Encode(double.NaN)));
    }

    [Fact]
    public void Encode_is_strictly_increasing_over_the_range()
    {
        double previous = double.NegativeInfinity;
        for (double log = Math.Log10(0.005); log <= 4.0; log += 0.01)
        {
            double v = Pu21.Encode(Math.Pow(10, log));
            Assert.True(v > previous, $"PU21 not increasing at {Math.Pow(10, log)} cd/m²");
            previous = v;
        }
    }

    [Fact]
    public void Psnr_matches_numpy_reference()
    {
        // crosscheck/reference.py (numpy float64: PQ EOTF per channel → PU21 → PSNR), Lcg(8, 6, 7)
        // vs Noisy(·, 99): 29.513991367393494 dB with the reference peak 256 and
        // 36.84527997018537 dB with peak PU(10000).
        var gt = TestFrames.Lcg(8, 6, 7);
        var pred = TestFrames.Noisy(gt, 99);
        Assert.Equal(29.513991367393494, Pu21.Psnr(pred, gt), 1e-9);
        Assert.Equal(36.84527997018537, Pu21.Psnr(pred, gt, Pu21.EncodedPeak), 1e-9);
    }

    [Fact]
    public void Identical_frames_give_infinity_and_nan_gives_nan()
    {
        var f = TestFrames.Lcg(6, 5, 4);
        Assert.Equal(double.PositiveInfinity, Pu21.Psnr(f, f.Clone()));
        var g = f.Clone();
        g[1, 2, 2] = float.NaN;
        Assert.True(double.IsNaN(Pu21.Psnr(g, f)));
    }

    [Fact]
    public void Parallel_and_serial_give_bit_identical_results()
    {
        var gt = TestFrames.Lcg(31, 17, 8);
        var pred = TestFrames.Noisy(gt, 9);
        Assert.Equal(Pu21.Psnr(pred, gt, parallel: false), Pu21.Psnr(pred, gt, parallel: true));
    }

    [Fact]
    public void Size_mismatch_is_an_argument_exception() =>
        Assert.Throws<ArgumentException>(() => Pu21.Psnr(new RgbPlanarFrame(3, 3), new RgbPlanarFrame(4, 3)));
}
