using System.Globalization;
using System.Text;
using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Models;
using HdrUp.Models.Checkpoints;
using HdrUp.Bench.Ablation;
using HdrUp.Training.Train;

namespace HdrUp.Bench;

/// <summary>
/// The two ablation evidences that are not a trained row: the colour card of paper Fig. 6 (<c>hdrup bench card</c>:
/// ΔE_ITP per patch, at patch edges and inside, for trained models on one compressed card, plus the picture) and
/// the information-loss probe of Tab. 3 (<c>hdrup bench probe</c>: heads reconstructing the compressed SDR from a
/// frozen KPNet's three branch features).
/// </summary>
public static class CardAndProbeBench
{
    /// <summary>Card side in pixels: square, so the crops figure shows it whole.</summary>
    public const int CardSize = 256;

    /// <summary>The card report: <see cref="Card"/>'s table with its figure, written as <paramref name="stemName"/>.png.</summary>
    public static (string Markdown, string Csv, List<(string Suffix, Action<Stream> Write)> Extras) CardReport(IReadOnlyList<(string Name, string Weights)> models,
        int qp, int threads, string stemName, Action<string> log, CancellationToken ct)
    {
        var (markdown, csv, figure) = Card(models, qp, threads, log, ct);
        markdown += $"\n![colour card]({stemName}.png) Columns: {string.Join(" | ", figure.Columns(qp))}; HDR shown with the SDR preview mapping of 'bench quality'.\n";
        return (markdown, csv, [(".png", s => figure.Save(qp, s))]);
    }

    public static (string Markdown, string Csv, CropFigure Figure) Card(IReadOnlyList<(string Name, string Weights)> models, int qp, int threads,
        Action<string> log, CancellationToken ct)
    {
        log($"colour card {CardSize}×{CardSize}, x265 intra QP {qp}");
        var card = ColourCard.Generate(CardSize, CardSize, qp, ct);
        var figure = new CropFigure([0], CardSize);
        figure.Add(qp, CropFigure.InputLabel, 0, card.CompressedSdr!, pq: false);
        figure.Add(qp, CropFigure.TruthLabel, 0, card.Hdr);
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(inv, $"**Colour card (paper Fig. 6), QP {qp}.** 6 × 3 saturated BT.2020 patches (R, G, B, C, M, Y at 100/400/1,000 cd/m²) on 20 cd/m² grey and a hue/brightness sweep, ");
        md.AppendLine(inv, $"SDR by BT.2446 Method C, x265 intra QP {qp}. ΔE_ITP: mean over patch interiors; edge = {ColourCard.EdgeBand}-px bands either side of each patch border; ghosting = edge − interior.").AppendLine();
        md.AppendLine("| model | params | mean ΔE_ITP↓ | edge ΔE_ITP↓ | interior ΔE_ITP↓ | ghosting↓ | worst patch |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---|");
        using var csv = CsvTable.ToText(["model", "params", "patch", "delta_e_itp"]);
        foreach (var (name, weights) in models)
        {
            ct.ThrowIfCancellationRequested();
            var (model, _) = Conversion.NetworkFrameMapper.Open(name, weights, threads);
            long parameters = model.Parameters;
            using var mapper = new CapturingMapper(model);
            var score = ColourCard.Score(mapper, card, ct);
            figure.Add(qp, name, 0, mapper.Last!);
            var worst = score.PerPatch.MaxBy(p => p.DeltaEItp);
            md.AppendLine(inv, $"| {name} | {parameters:N0} | {score.MeanDeltaEItp:F2} | {score.EdgeDeltaEItp:F2} | {score.InteriorDeltaEItp:F2} | {score.Ghosting:F2} | {worst.Patch} ({worst.DeltaEItp:F1}) |");
            foreach (var (patch, de) in score.PerPatch)
            {
                using var row = csv.NewRow();
                row["model"].Set(name);
                row["params"].Format(parameters);
                row["patch"].Set(patch);
                row["delta_e_itp"].Format(de);
            }
            log($"{name}: mean ΔE_ITP {score.MeanDeltaEItp:F2}, ghosting {score.Ghosting:F2}");
        }
        return (md.ToString(), csv.ToString(), figure);
    }

    public static (string Markdown, string Csv) Probe(string weights, TrainDataOptions data, IReadOnlyList<long> marks, int threads,
        Action<string> log, CancellationToken ct)
    {
        var (network, _) = ModelStore.Load(weights);
        using var kpnet = network as KPNet ?? throw new InvalidDataException($"{weights}: the probe needs a KPNet-family model, not {network.GetType().Name}");
        var progress = new SynchronousProgress<ProbeReport>(r => log($"probe after {r.Iteration} steps: MSE {string.Join(" / ", r.Mse.Select(m => m.ToString("G4", CultureInfo.InvariantCulture)))}"));
        var reports = new ProbeTrainer(kpnet, data, threads).Run(marks, progress, ct);
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(inv, $"**Table 3 (reproduced): information loss of the branch features.** MSE of the compressed SDR input reconstructed by a 3×3 conv head ");
        md.AppendLine(inv, $"(with one or two learned 2× upsamplings) from each branch's SDR feature of the frozen {Path.GetFileName(weights)}, heads trained with L1 (Adam 2e-4) on ");
        md.AppendLine(inv, $"{data.DatarootLq} crops {data.GtSize}, batch {data.BatchSize}; MSE on a fixed set of training crops.").AppendLine();
        md.AppendLine("| iterations | K̆₁ (H) | K̆₂ (H/2) | K̆₃ (H/4) |");
        md.AppendLine("|---:|---:|---:|---:|");
        string[] branches = ["mse_h", "mse_h2", "mse_h4"];
        using var csv = CsvTable.ToText(["iterations", .. branches]);
        foreach (var r in reports)
        {
            string Cell(int i) => i < r.Mse.Count && double.IsFinite(r.Mse[i]) ? r.Mse[i].ToString("F5", inv) : "–";
            md.AppendLine(inv, $"| {r.Iteration:N0} | {Cell(0)} | {Cell(1)} | {Cell(2)} |");
            using var row = csv.NewRow();
            row["iterations"].Format(r.Iteration);
            for (int i = 0; i < branches.Length; i++) row[branches[i]].Format(i < r.Mse.Count ? r.Mse[i] : double.NaN);
        }
        return (md.ToString(), csv.ToString());
    }

    // Keeps the last output so the card picture shows exactly what was scored.
    private sealed class CapturingMapper(Conversion.NetworkFrameMapper inner) : IFrameMapper, IDisposable
    {
        public RgbPlanarFrame? Last { get; private set; }
        public string Name => inner.Name;
        public RgbPlanarFrame Map(RgbPlanarFrame input, CancellationToken cancellationToken = default) => Last = inner.Map(input, cancellationToken);
        public void Dispose() => inner.Dispose();
    }
}
