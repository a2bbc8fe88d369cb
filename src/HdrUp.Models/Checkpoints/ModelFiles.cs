using System.Globalization;
using HdrUp.Core;
using HdrUp.Models.Onnx;

namespace HdrUp.Models.Checkpoints;

/// <summary>
/// The weights files <c>hdrup model</c> makes: a shippable export, a weight blend of two fine-tunes, a cascade of two separately
/// trained stages. Each writes a .safetensors file with its model card beside it (<see cref="ModelStore.Save"/>).
/// </summary>
public static class ModelFiles
{
    /// <summary>
    /// Copies weights (.safetensors with card, or .pth with <paramref name="architecture"/>) to <paramref name="destination"/>,
    /// recording the QP and extra notes; with <paramref name="graphPath"/>, also the ONNX graph of the file as written.
    /// </summary>
    public static void Export(string source, string? architecture, string destination, int? qp, string? notes, bool fp16, string? graphPath = null)
    {
        var (network, card, arch) = ModelStore.LoadResolved(source, architecture);
        using (network)
        {
            if (graphPath is not null && !OnnxExport.CanExport(network))
                throw new NotSupportedException($"{arch}: no ONNX export (the KPNet family only); leave out --onnx");
            var exported = (card ?? new ModelCard { Architecture = arch, Width = network.Width }) with
            {
                Qp = qp ?? card?.Qp,
                Notes = notes is null ? card?.Notes : $"{card?.Notes} {notes}".Trim(),
                CreatedUtc = card?.CreatedUtc ?? DateTimeOffset.UtcNow,
            };
            ModelStore.Save(network, arch, destination, exported, fp16);
        }
        if (graphPath is null) return;
        // The graph of the file as written (rounded with --fp16), which is what convert loads; through this machine's
        // cache, so a convert here finds it made.
        var (stored, _) = ModelStore.Load(destination);
        using (stored)
        {
            byte[] graph = OnnxGraphCache.Default?.Get(stored).Model ?? OnnxExport.Export(stored);
            AtomicFile.Write(graphPath, (Stream file) => file.Write(graph));
        }
    }

    /// <summary>
    /// (1 − t)·A + t·B weight by weight (<see cref="WeightBlend"/>): two fine-tunes of one model, same architecture and options.
    /// The card is A's, with both parents' data and notes, and no training figures (the blend was not trained).
    /// </summary>
    public static void Blend(string pathA, string pathB, double t, string destination, int? qp, string? notes, bool fp16)
    {
        if (!(t >= 0 && t <= 1)) throw new ArgumentException($"--weight {t.ToString(CultureInfo.InvariantCulture)}: must be between 0 and 1");
        var (a, cardA) = ModelStore.Load(pathA, null);
        using (a)
        {
            var (b, cardB) = ModelStore.Load(pathB, null);
            using (b)
            {
                if (cardA?.Architecture != cardB?.Architecture || cardA?.Options != cardB?.Options || a.Width != b.Width)
                    throw new ArgumentException($"{Path.GetFileName(pathA)} ({cardA?.Architecture}) and {Path.GetFileName(pathB)} ({cardB?.Architecture}): not the same architecture and options");
                WeightBlend.Into(a, b, t);
            }
            string tText = t.ToString("0.###", CultureInfo.InvariantCulture), rest = (1 - t).ToString("0.###", CultureInfo.InvariantCulture);
            var card = cardA! with
            {
                Qp = qp ?? cardA!.Qp,
                TrainingData = $"blend of A: {cardA.TrainingData} and B: {cardB!.TrainingData}",
                Iterations = null,
                WallTimeSeconds = null,
                ValidationPsnr = null,
                ValidationDeltaEItp = null,
                CreatedUtc = DateTimeOffset.UtcNow,
                Notes = ($"Weight blend {rest}·A + {tText}·B ('hdrup model blend'), A = {Path.GetFileName(pathA)}, B = {Path.GetFileName(pathB)}. " +
                         $"A's notes: {cardA.Notes} B's notes: {cardB.Notes} {notes}").Trim(),
            };
            ModelStore.Save(a, card.Architecture, destination, card, fp16);
        }
    }

    /// <summary>
    /// The paper's separately trained cascades (Table 1, "DnCNN+KUNet" without joint training, "DnCNN+HDRTV"): a DnCNN trained
    /// compressed → uncompressed SDR and a KUNet or HDRTVNet trained uncompressed SDR → HDR, chained only at test time.
    /// </summary>
    public static void Cascade(string architecture, string restore, string reconstruct, string destination, int? qp)
    {
        foreach (string file in new[] { restore, reconstruct })
            if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such weights file", file);
        using HdrNetwork network = architecture == "dncnn-hdrtv"
            ? DnCNNHDRTV.FromCheckpoints(restore, reconstruct)
            : DnCNNKUNet.FromCheckpoints(restore, reconstruct);
        string stage = architecture == "dncnn-hdrtv" ? "HDRTVNet" : "KUNet";
        var card = new ModelCard
        {
            Architecture = architecture,
            Width = network.Width,
            Qp = qp,
            CreatedUtc = DateTimeOffset.UtcNow,
            Notes = $"Separately trained cascade: DnCNN {Path.GetFileName(restore)} (artefact removal) then {stage} {Path.GetFileName(reconstruct)} (SDR → HDR).",
        };
        ModelStore.Save(network, architecture, destination, card);
    }
}
