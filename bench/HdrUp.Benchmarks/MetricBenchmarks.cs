using BenchmarkDotNet.Attributes;
using HdrUp.Core;
using HdrUp.Metrics;

namespace HdrUp.Benchmarks;

/// <summary>The evaluation metrics on one 1080p frame pair (PQ code values in [0.3, 0.7)), as <c>hdrup eval</c> and bench
/// quality call them: rows in parallel where the metric offers it.</summary>
[FramePixels(Frames.Width, Frames.Height)]
public class MetricBenchmarks
{
    private readonly RgbPlanarFrame pred = Frames.Uniform(6), gt = Frames.Uniform(7);

    [Benchmark]
    public double Psnr() => HdrUp.Metrics.Psnr.Compute(pred, gt);

    [Benchmark]
    public double SsimStandard() => Ssim.Compute(pred, gt, SsimMode.Standard);

    [Benchmark]
    public double SsimPaper() => Ssim.Compute(pred, gt, SsimMode.Paper);

    [Benchmark]
    public double DeltaEItp() => HdrUp.Metrics.DeltaEItp.Compute(pred, gt);
}
