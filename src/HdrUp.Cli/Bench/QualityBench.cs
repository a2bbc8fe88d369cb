using System.Globalization;
using System.Text;
using HdrUp.Color;
using HdrUp.Media;
using HdrUp.Metrics;

namespace HdrUp.Cli.Bench;

/// <summary>A method to score: a name, its parameter count (null for non-learned mappings), and a mapper per QP.</summary>
internal sealed record QualityMethod(string Name, Func<long?> Parameters, Func<int, IFrameMapper?> MapperForQp);

/// <summary>One row of the paper's Table 1 layout: QP, method, params and the four metrics (means over the test frames).</summary>
internal sealed record QualityRow(int Qp, string Method, long? Parameters, int Frames, double Psnr, double Ssim, double Mse, double DeltaEItp);

/// <summary>
/// Scores methods on a dataset's test split as the paper does (§13 of the spec): each method maps the
/// compressed SDR frames, the output is clamped to [0,1] and quantised to 16 bits like the official
/// test script's PNGs, then PSNR/MSE (peak 1), SSIM (the official protocol) and ΔE_ITP are taken per
/// frame against the 16-bit PQ ground truth and averaged over frames.
/// </summary>
internal static class QualityBench
{
    public static List<QualityRow> Run(string dataRoot, IReadOnlyList<int> qps, IReadOnlyList<QualityMethod> methods,
        Action<string> log, CancellationToken cancellationToken)
    {
        string gtFolder = Path.Combine(dataRoot, "test_hdr");
        if (!Directory.Exists(gtFolder))
            throw new DirectoryNotFoundException($"{gtFolder}: no test split (build one with 'hdrup dataset build')");
        string[] gtFiles = Directory.GetFiles(gtFolder, "*.png").Order(StringComparer.Ordinal).ToArray();
        var truths = gtFiles.Select(f => Png16.Read(f)).ToArray();
        var options = new MetricOptions { SsimMode = SsimMode.Paper, Pu21Psnr = false };
        var rows = new List<QualityRow>();
        foreach (int qp in qps)
        {
            string sdrFolder = Path.Combine(dataRoot, "test_sdr", $"qp{qp}");
            if (!Directory.Exists(sdrFolder))
                throw new DirectoryNotFoundException($"{sdrFolder}: the test split has no QP {qp} (build it with 'hdrup dataset build --qp {qp}')");
            var inputs = gtFiles.Select(f => Path.Combine(sdrFolder, Path.GetFileName(f))).ToArray();
            foreach (string missing in inputs.Where(f => !File.Exists(f)))
                throw new FileNotFoundException($"{missing}: no SDR frame for the ground truth of the same name", missing);
            foreach (var method in methods)
            {
                IFrameMapper? mapper = method.MapperForQp(qp);
                if (mapper is null)
                {
                    log($"QP {qp} {method.Name}: no model for this QP, skipped");
                    continue;
                }
                var scores = new List<FrameMetrics>();
                for (int i = 0; i < inputs.Length; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    RgbPlanarFrame output = mapper.Map(Png16.Read(inputs[i]), cancellationToken);
                    Png16.RoundToCodes(output);
                    scores.Add(FrameEvaluator.Evaluate(output, truths[i], options));
                }
                var mean = MetricsSummary.From(scores);
                rows.Add(new QualityRow(qp, method.Name, method.Parameters(), scores.Count, mean.Psnr, mean.Ssim, mean.Mse, mean.DeltaEItp ?? double.NaN));
                log($"QP {qp} {method.Name}: PSNR {mean.Psnr:F4} dB, SSIM {mean.Ssim:F4}, MSE {mean.Mse:F6}, ΔE_ITP {mean.DeltaEItp:F4}");
            }
        }
        return rows;
    }

    /// <summary>A learned method whose weights file per QP may be missing (then that QP is skipped).</summary>
    public static QualityMethod LearnedMethod(string name, Func<int, string?> fileForQp, int threads)
    {
        long? parameters = null;
        Conversion.NetworkFrameMapper? current = null;
        return new QualityMethod(name, () => parameters, qp =>
        {
            current?.Dispose();
            current = null;
            string? file = fileForQp(qp);
            if (file is null || !File.Exists(file)) return null;
            var (network, _) = HdrUp.Models.Checkpoints.ModelStore.Load(file);
            parameters ??= network.parameters().Sum(p => p.numel());
            current = new Conversion.NetworkFrameMapper(name, network, new HdrUp.Models.Inference.InferenceOptions { Threads = threads });
            return current;
        });
    }

    public static (string Markdown, string Csv) Render(IReadOnlyList<QualityRow> rows, string caption)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(caption);
        md.AppendLine();
        md.AppendLine("| QP | method | params | PSNR↑ | SSIM↑ | MSE↓ | ΔE_ITP↓ |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        var csv = new StringBuilder("qp,method,params,frames,psnr,ssim,mse,delta_e_itp\n");
        foreach (var r in rows)
        {
            string p = r.Parameters is long n ? FormatParams(n) : "–";
            md.AppendLine(inv, $"| {r.Qp} | {r.Method} | {p} | {r.Psnr:F4} | {r.Ssim:F4} | {r.Mse:F5} | {r.DeltaEItp:F4} |");
            csv.Append(inv, $"{r.Qp},{r.Method},{r.Parameters},{r.Frames},{r.Psnr:R},{r.Ssim:R},{r.Mse:R},{r.DeltaEItp:R}\n");
        }
        return (md.ToString(), csv.ToString());
    }

    private static string FormatParams(long n) => n >= 1_000_000
        ? (n / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + "M"
        : (n / 1e3).ToString("0", CultureInfo.InvariantCulture) + "K";
}
