using System.Text.Json.Serialization;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics;

/// <summary>What <see cref="FrameEvaluator.Evaluate"/> computes. The defaults reproduce the KPNet paper protocol.</summary>
public sealed record MetricOptions
{
    public static MetricOptions Paper { get; } = new();

    public SsimMode SsimMode { get; init; } = SsimMode.Paper;

    /// <summary>ΔE_ITP is the slowest metric; turn it off for quick validation runs.</summary>
    public bool DeltaEItp { get; init; } = true;

    public bool Pu21Psnr { get; init; } = true;

    /// <summary>Peak for PU21-PSNR; the reference code's 256 by default (see <see cref="Pu21.ReferencePsnrPeak"/>).</summary>
    public double Pu21Peak { get; init; } = Pu21.ReferencePsnrPeak;

    /// <summary>Spread SSIM, ΔE_ITP and PU21 over cores. Results are bit-identical either way.</summary>
    public bool Parallel { get; init; } = true;
}

/// <summary>
/// Metrics of one predicted frame against its ground truth, both PQ BT.2020 code values in [0, 1].
/// PSNR may be +∞ (identical frames); serialised as the JSON literal "Infinity".
/// </summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record FrameMetrics(
    [property: JsonPropertyName("psnr")] double Psnr,
    [property: JsonPropertyName("mse")] double Mse,
    [property: JsonPropertyName("ssim")] double Ssim,
    [property: JsonPropertyName("delta_e_itp"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? DeltaEItp,
    [property: JsonPropertyName("pu21_psnr"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Pu21Psnr);

public static class FrameEvaluator
{
    /// <summary>
    /// All metrics of <paramref name="pred"/> against <paramref name="gt"/> (PQ BT.2020 code values in
    /// [0, 1], e.g. 16-bit PNG / 65535, as the paper's metrics see them after clamping and quantising).
    /// Throws <see cref="ArgumentException"/> when the frame sizes differ, or when a frame is smaller than
    /// the SSIM window (7×7 paper, 11×11 standard).
    /// </summary>
    public static FrameMetrics Evaluate(RgbPlanarFrame pred, RgbPlanarFrame gt, MetricOptions? options = null)
    {
        options ??= MetricOptions.Paper;
        FrameChecks.RequireSameSize(pred, gt);
        double mse = Mse.Compute(pred, gt);
        return new FrameMetrics(
            Psnr.FromMse(mse),
            mse,
            Ssim.Compute(pred, gt, options.SsimMode, options.Parallel),
            options.DeltaEItp ? HdrUp.Metrics.DeltaEItp.Compute(pred, gt, options.Parallel) : null,
            options.Pu21Psnr ? Pu21.Psnr(pred, gt, options.Pu21Peak, options.Parallel) : null);
    }
}

/// <summary>
/// Test-set averages: the arithmetic mean of per-frame values, as the paper's <c>metrics/main.py</c>.
/// <para>
/// Infinite PSNR (a frame identical to its ground truth) would make the plain mean +∞ and hide every
/// other frame, so infinite values are left out of the PSNR means and counted in
/// <see cref="PsnrInfiniteFrames"/> / <see cref="Pu21PsnrInfiniteFrames"/>; if every frame is infinite
/// the mean is +∞. (The official script would report +∞; with real network output this never happens.)
/// A NaN frame value makes its mean NaN: a broken frame must be visible, not averaged away.
/// </para>
/// </summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record MetricsSummary(
    [property: JsonPropertyName("frames")] int Frames,
    [property: JsonPropertyName("psnr")] double Psnr,
    [property: JsonPropertyName("psnr_infinite_frames")] int PsnrInfiniteFrames,
    [property: JsonPropertyName("mse")] double Mse,
    [property: JsonPropertyName("ssim")] double Ssim,
    [property: JsonPropertyName("delta_e_itp"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? DeltaEItp,
    [property: JsonPropertyName("pu21_psnr"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Pu21Psnr,
    [property: JsonPropertyName("pu21_psnr_infinite_frames")] int Pu21PsnrInfiniteFrames)
{
    /// <summary>
    /// Averages per-frame metrics. An optional metric (ΔE_ITP, PU21-PSNR) is averaged only when every
    /// frame has it, otherwise it is null: a mean over a subset would not be comparable.
    /// </summary>
    public static MetricsSummary From(IReadOnlyCollection<FrameMetrics> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
            throw new ArgumentException("Cannot summarise zero frames.", nameof(frames));
        var (psnr, psnrInf) = MeanOfFinite(frames.Select(f => f.Psnr));
        double? pu21 = null;
        int pu21Inf = 0;
        if (frames.All(f => f.Pu21Psnr.HasValue))
            (pu21, pu21Inf) = MeanOfFinite(frames.Select(f => f.Pu21Psnr!.Value));
        return new MetricsSummary(
            frames.Count,
            psnr,
            psnrInf,
            frames.Average(f => f.Mse),
            frames.Average(f => f.Ssim),
            frames.All(f => f.DeltaEItp.HasValue) ? frames.Average(f => f.DeltaEItp!.Value) : null,
            pu21,
            pu21Inf);
    }

    private static (double Mean, int Infinite) MeanOfFinite(IEnumerable<double> values)
    {
        double sum = 0;
        int finite = 0, infinite = 0;
        foreach (double v in values)
        {
            if (double.IsPositiveInfinity(v))
            {
                infinite++;
                continue;
            }
            sum += v; // NaN stays NaN
            finite++;
        }
        return (finite == 0 ? double.PositiveInfinity : sum / finite, infinite);
    }
}
