using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics.Tests;

public class PsnrMseTests
{
    [Fact]
    public void Uniform_difference_gives_closed_form_values()
    {
        // 0.5 and 0.625 are exact in float32: every difference is 1/8, so MSE = 1/64 and
        // PSNR = 10·log10(64) = 18.06179973983887 dB (Python math.log10).
        var pred = TestFrames.Constant(5, 4, 0.5f);
        var gt = TestFrames.Constant(5, 4, 0.625f);
        Assert.Equal(1.0 / 64, Mse.Compute(pred, gt), 15);
        Assert.Equal(18.06179973983887, Psnr.Compute(pred, gt), 12);
    }

    [Fact]
    public void Mse_averages_over_all_three_channels()
    {
        // One value of 4·4·3 = 48 differs by 0.5: MSE = 0.25/48, PSNR = 10·log10(192) = 22.833012287035498 dB (Python math.log10).
        var gt = TestFrames.Constant(4, 4, 0.25f);
        var pred = gt.Clone();
        pred[2, 3, 1] = 0.75f;
        Assert.Equal(0.25 / 48, Mse.Compute(pred, gt), 15);
        Assert.Equal(22.833012287035498, Psnr.Compute(pred, gt), 12);
    }

    [Theory]
    [InlineData(0.01, 1.0, 20.0)]        // 10·log10(1/0.01)
    [InlineData(1e-4, 1.0, 40.0)]        // 10·log10(1/1e-4)
    [InlineData(1.0, 255.0, 48.1308036086791)] // 20·log10(255) (Python math.log10), the familiar 8-bit ceiling for MSE = 1
    public void FromMse_matches_the_definition(double mse, double peak, double expected) =>
        Assert.Equal(expected, Psnr.FromMse(mse, peak), 12);

    [Fact]
    public void Identical_frames_give_zero_mse_and_infinite_psnr()
    {
        var f = TestFrames.Lcg(7, 5, 1);
        Assert.Equal(0.0, Mse.Compute(f, f.Clone()));
        Assert.Equal(double.PositiveInfinity, Psnr.Compute(f, f.Clone()));
    }

    [Fact]
    public void Nan_input_propagates()
    {
        var gt = TestFrames.Lcg(4, 4, 2);
        var pred = gt.Clone();
        pred[1, 1, 1] = float.NaN;
        Assert.True(double.IsNaN(Mse.Compute(pred, gt)));
        Assert.True(double.IsNaN(Psnr.Compute(pred, gt)));
    }

    [Fact]
    public void Size_mismatch_is_an_argument_exception()
    {
        var ex = Assert.Throws<ArgumentException>(() => Psnr.Compute(new RgbPlanarFrame(4, 4), new RgbPlanarFrame(4, 5)));
        Assert.Contains("4×4", ex.Message);
        Assert.Throws<ArgumentException>(() => Mse.Compute(new RgbPlanarFrame(3, 4), new RgbPlanarFrame(4, 3)));
    }

    [Fact]
    public void Invalid_arguments_to_FromMse_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Psnr.FromMse(-1e-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Psnr.FromMse(0.1, peak: 0));
        Assert.True(double.IsNaN(Psnr.FromMse(double.NaN)));
    }
}
