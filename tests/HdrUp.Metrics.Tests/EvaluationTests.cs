using System.Text.Json;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics.Tests;

public class EvaluationTests
{
    [Fact]
    public void Evaluate_reports_each_metric_as_computed_alone()
    {
        var gt = TestFrames.Lcg(32, 24, 7);
        var pred = TestFrames.Noisy(gt, 99);
        var m = FrameEvaluator.Evaluate(pred, gt, MetricOptions.Paper);
        Assert.Equal(Mse.Compute(pred, gt), m.Mse);
        Assert.Equal(Psnr.Compute(pred, gt), m.Psnr);
        Assert.Equal(Ssim.Compute(pred, gt, SsimMode.Paper), m.Ssim);
        Assert.Equal(DeltaEItp.Compute(pred, gt), m.DeltaEItp);
        Assert.Equal(Pu21.Psnr(pred, gt), m.Pu21Psnr);
        // PSNR from crosscheck/reference.py (numpy float64 MSE of the same frames): 36.93084169566541 dB.
        Assert.Equal(36.93084169566541, m.Psnr, 1e-9);
        // SSIM (paper) from scikit-image 0.19.3 on float64 copies, see SsimTests.
        Assert.Equal(0.9987399210642294, m.Ssim, 1e-12);
    }

    [Fact]
    public void Options_switch_metrics_off_and_select_the_ssim_mode()
    {
        var gt = TestFrames.Lcg(16, 16, 1);
        var pred = TestFrames.Noisy(gt, 2);
        var m = FrameEvaluator.Evaluate(pred, gt, new MetricOptions { SsimMode = SsimMode.Standard, DeltaEItp = false, Pu21Psnr = false });
        Assert.Null(m.DeltaEItp);
        Assert.Null(m.Pu21Psnr);
        Assert.Equal(Ssim.Compute(pred, gt, SsimMode.Standard), m.Ssim);
    }

    [Fact]
    public void Different_sizes_are_an_argument_exception()
    {
        var ex = Assert.Throws<ArgumentException>(() => FrameEvaluator.Evaluate(new RgbPlanarFrame(16, 16), new RgbPlanarFrame(16, 8), MetricOptions.Paper));
        Assert.Contains("same size", ex.Message);
    }

    [Fact]
    public void Json_uses_snake_case_names_and_survives_infinity()
    {
        var f = TestFrames.Lcg(8, 8, 5);
        var m = FrameEvaluator.Evaluate(f, f.Clone(), MetricOptions.Paper);
        string json = JsonSerializer.Serialize(m);
        using var doc = JsonDocument.Parse(json);
        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["psnr", "mse", "ssim", "delta_e_itp", "pu21_psnr"], names);
        Assert.Equal("Infinity", doc.RootElement.GetProperty("psnr").GetString());
        Assert.Equal(m, JsonSerializer.Deserialize<FrameMetrics>(json));
    }

    [Fact]
    public void Summary_json_uses_snake_case_names()
    {
        var s = MetricsSummary.From([F(30, 0.001, 0.9, 2.0, 40)]);
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(s));
        Assert.Equal(["frames", "psnr", "psnr_infinite_frames", "mse", "ssim", "delta_e_itp", "pu21_psnr", "pu21_psnr_infinite_frames"],
            doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
    }

    private static FrameMetrics F(double psnr, double mse, double ssim, double? de = 1.0, double? pu = 30.0) => new(psnr, mse, ssim, de, pu);

    [Fact]
    public void Summary_is_the_arithmetic_mean_of_frame_values()
    {
        var s = MetricsSummary.From([F(30, 0.001, 0.9, 2.0, 40), F(40, 0.0001, 0.8, 4.0, 50)]);
        Assert.Equal(2, s.Frames);
        Assert.Equal(35.0, s.Psnr, 12);   // mean of dB values, not PSNR of the mean MSE (paper main.py)
        Assert.Equal(0.00055, s.Mse, 15);
        Assert.Equal(0.85, s.Ssim, 12);
        Assert.Equal(3.0, s.DeltaEItp!.Value, 12);
        Assert.Equal(45.0, s.Pu21Psnr!.Value, 12);
        Assert.Equal(0, s.PsnrInfiniteFrames);
    }

    [Fact]
    public void Summary_leaves_infinite_psnr_out_of_the_mean_and_counts_it()
    {
        var s = MetricsSummary.From([F(30, 0.001, 0.9), F(double.PositiveInfinity, 0, 1.0, 0, double.PositiveInfinity), F(40, 0.0001, 0.8)]);
        Assert.Equal(35.0, s.Psnr, 12);
        Assert.Equal(1, s.PsnrInfiniteFrames);
        Assert.Equal(30.0, s.Pu21Psnr!.Value, 12);
        Assert.Equal(1, s.Pu21PsnrInfiniteFrames);
        Assert.Equal(0.0011 / 3, s.Mse, 15);

        var allSame = MetricsSummary.From([F(double.PositiveInfinity, 0, 1), F(double.PositiveInfinity, 0, 1)]);
        Assert.Equal(double.PositiveInfinity, allSame.Psnr);
        Assert.Equal(2, allSame.PsnrInfiniteFrames);
    }

    [Fact]
    public void Summary_propagates_nan_and_drops_partially_missing_metrics()
    {
        var s = MetricsSummary.From([F(double.NaN, double.NaN, 0.9), F(40, 0.0001, 0.8, de: null, pu: null)]);
        Assert.True(double.IsNaN(s.Psnr));
        Assert.True(double.IsNaN(s.Mse));
        Assert.Null(s.DeltaEItp);
        Assert.Null(s.Pu21Psnr);
        Assert.Throws<ArgumentException>(() => MetricsSummary.From(Array.Empty<FrameMetrics>()));
    }
}
