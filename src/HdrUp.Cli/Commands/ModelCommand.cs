using System.CommandLine;
using System.Globalization;
using HdrUp.Core;
using HdrUp.Models;
using HdrUp.Models.Checkpoints;
using HdrUp.Models.Onnx;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary><c>hdrup model list|info</c>: the networks HdrUp knows and what a weights file holds.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var model = new Command("model", "List the networks HdrUp can build and show parameter tables and model cards.");

        var list = new Command("list", "List every architecture in the registry (the paper's networks and ablations) with its parameter count.");
        CliRuntime.SetGuardedAction(list, (_, runtime, _) => Task.FromResult(List(runtime)));
        model.Subcommands.Add(list);

        var target = new Argument<string>("NAME|FILE")
        {
            Description = "An architecture name from 'hdrup model list' (e.g. kpnet), or a weights file (.safetensors or PyTorch .pth) with its model card.",
        };
        var width = new Option<int>("--nf") { Description = "Feature width of the network (channels).", DefaultValueFactory = _ => ArchRegistry.DefaultWidth };
        var architecture = new Option<string?>("--arch") { Description = "Architecture of a .pth file that has no model card (e.g. kpnet)." };
        var info = new Command("info", "Per-module parameter table (the paper's Params column) and, for a weights file, its model card.");
        info.Arguments.Add(target);
        info.Options.Add(width);
        info.Options.Add(architecture);
        CliRuntime.SetGuardedAction(info, (parse, runtime, _) =>
            Task.FromResult(Info(runtime, parse.GetValue(target)!, parse.GetValue(width), parse.GetValue(architecture))));
        model.Subcommands.Add(info);
        model.Subcommands.Add(CreateExport());
        model.Subcommands.Add(CreateCascade());
        model.Subcommands.Add(CreateBlend());
        return model;
    }

    private static Command CreateExport()
    {
        var source = new Argument<string>("SOURCE") { Description = "Weights to export (.safetensors with its model card, or .pth with --arch)." };
        var destination = new Argument<string>("DEST") { Description = "Target .safetensors file; its model card is written beside it." };
        var architecture = new Option<string?>("--arch") { Description = "Architecture of a SOURCE without a model card." };
        var half = new Option<bool>("--fp16") { Description = "Store the weights as 16-bit floats (half the size; loaded back as 32-bit)." };
        var qp = new Option<int?>("--qp") { Description = "Record the HEVC QP the model was trained for in its card." };
        var notes = new Option<string?>("--notes") { Description = "Append this text to the card's notes (e.g. measured test-split quality)." };
        var onnx = new Option<bool>("--onnx")
        {
            Description = "Also write the ONNX graph of the weights as stored beside DEST (DEST with .onnx; KPNet family only), for ONNX Runtime or any ONNX tool.",
        };
        var force = new Option<bool>("--force") { Description = "Overwrite DEST (and its .onnx)." };
        var export = new Command("export", "Copy weights to a shippable safetensors file with its model card (optionally fp16, optionally with its ONNX graph).");
        export.Arguments.Add(source);
        export.Arguments.Add(destination);
        foreach (var option in new Option[] { architecture, half, qp, notes, onnx, force })
            export.Options.Add(option);
        CliRuntime.SetGuardedAction(export, (parse, runtime, _) =>
        {
            string dest = parse.GetValue(destination)!;
            string? graphPath = parse.GetValue(onnx) ? Path.ChangeExtension(dest, ".onnx") : null;
            foreach (string output in new[] { dest, graphPath }.OfType<string>())
                if (File.Exists(output) && !parse.GetValue(force))
                    throw new IOException($"{Path.GetFileName(output)}: already exists; pass --force to overwrite it");
            var (network, card) = ModelStore.Load(parse.GetValue(source)!, parse.GetValue(architecture));
            using (network)
            {
                string arch = card?.Architecture ?? parse.GetValue(architecture)!;
                if (graphPath is not null && !OnnxExport.CanExport(network))
                    throw new NotSupportedException($"{arch}: no ONNX export (the KPNet family only); leave out --onnx");
                string? extra = parse.GetValue(notes);
                var exported = (card ?? new ModelCard { Architecture = arch, Width = network.Width }) with
                {
                    Qp = parse.GetValue(qp) ?? card?.Qp,
                    Notes = extra is null ? card?.Notes : $"{card?.Notes} {extra}".Trim(),
                    CreatedUtc = card?.CreatedUtc ?? DateTimeOffset.UtcNow,
                };
                ModelStore.Save(network, arch, dest, exported, parse.GetValue(half));
            }
            runtime.Console.MarkupLine($"wrote {Markup.Escape(dest)} and {Markup.Escape(ModelCard.PathFor(dest))}");
            if (graphPath is not null)
            {
                // The graph of the file as written (rounded with --fp16), which is what convert loads; through this
                // machine's cache, so a convert here finds it made.
                var (stored, _) = ModelStore.Load(dest);
                using (stored)
                {
                    byte[] graph = OnnxGraphCache.Default?.Get(stored).Model ?? OnnxExport.Export(stored);
                    AtomicFile.Write(graphPath, (Stream file) => file.Write(graph));
                }
                runtime.Console.MarkupLine($"wrote {Markup.Escape(graphPath)}");
            }
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return export;
    }

    // The paper's "DnCNN + KUNet" row without '*' (and its "DnCNN + HDRTV" row): a DnCNN trained to remove the coding
    // artefacts (compressed → uncompressed SDR) and a KUNet or HDRTVNet trained on uncompressed SDR → HDR, chained only
    // at test time.
    private static Command CreateCascade()
    {
        var restore = new Option<string>("--restore") { Description = "DnCNN weights trained compressed SDR → uncompressed SDR.", Required = true };
        var reconstruct = new Option<string>("--reconstruct") { Description = "KUNet (or, with --arch dncnn-hdrtv, HDRTVNet) weights trained uncompressed SDR → HDR.", Required = true };
        var architecture = new Option<string>("--arch")
        {
            Description = "The cascade to build: dncnn-kunet (DnCNN → KUNet) or dncnn-hdrtv (DnCNN → HDRTVNet).",
            DefaultValueFactory = _ => "dncnn-kunet",
        };
        architecture.AcceptOnlyFromAmong("dncnn-kunet", "dncnn-hdrtv");
        var destination = new Argument<string>("DEST") { Description = "Target .safetensors file (architecture dncnn-kunet or dncnn-hdrtv); its model card is written beside it." };
        var qp = new Option<int?>("--qp") { Description = "HEVC QP the restoration stage was trained for (recorded in the card)." };
        var force = new Option<bool>("--force") { Description = "Overwrite DEST." };
        var cascade = new Command("cascade",
            "Chain a separately trained DnCNN (artefact removal) and KUNet or HDRTVNet (SDR → HDR) into one weights file, " +
            "the paper's separately trained cascades (Table 1, 'DNCNN+KUNet' without joint training, 'DNCNN+HDRTV').");
        cascade.Arguments.Add(destination);
        foreach (var option in new Option[] { restore, reconstruct, architecture, qp, force })
            cascade.Options.Add(option);
        CliRuntime.SetGuardedAction(cascade, (parse, runtime, _) =>
        {
            string dest = parse.GetValue(destination)!;
            if (File.Exists(dest) && !parse.GetValue(force))
                throw new IOException($"{Path.GetFileName(dest)}: already exists; pass --force to overwrite it");
            string first = parse.GetValue(restore)!, second = parse.GetValue(reconstruct)!;
            foreach (string file in new[] { first, second })
                if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such weights file", file);
            string arch = parse.GetValue(architecture)!;
            using HdrNetwork network = arch == "dncnn-hdrtv"
                ? DnCNNHDRTV.FromCheckpoints(first, second)
                : DnCNNKUNet.FromCheckpoints(first, second);
            string stage = arch == "dncnn-hdrtv" ? "HDRTVNet" : "KUNet";
            var card = new ModelCard
            {
                Architecture = arch,
                Width = network.Width,
                Qp = parse.GetValue(qp),
                CreatedUtc = DateTimeOffset.UtcNow,
                Notes = $"Separately trained cascade: DnCNN {Path.GetFileName(first)} (artefact removal) then {stage} {Path.GetFileName(second)} (SDR → HDR).",
            };
            ModelStore.Save(network, arch, dest, card);
            runtime.Console.MarkupLine($"wrote {Markup.Escape(dest)} and {Markup.Escape(ModelCard.PathFor(dest))}");
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return cascade;
    }

    // Two fine-tunes of one model blended weight by weight: a trade-off between what each was tuned for, without training.
    private static Command CreateBlend()
    {
        var first = new Argument<string>("A") { Description = "Weights A (.safetensors with its model card)." };
        var second = new Argument<string>("B") { Description = "Weights B: the same architecture, ideally a fine-tune of the same ancestor as A." };
        var destination = new Option<string>("--output", "-o") { Description = "Target .safetensors file; its model card is written beside it.", Required = true };
        var weight = new Option<double>("--weight") { Description = "t in (1 − t)·A + t·B, between 0 (A) and 1 (B).", DefaultValueFactory = _ => 0.5 };
        var half = new Option<bool>("--fp16") { Description = "Store the weights as 16-bit floats." };
        var qp = new Option<int?>("--qp") { Description = "HEVC QP to record in the card (default: A's)." };
        var notes = new Option<string?>("--notes") { Description = "Append this text to the card's notes." };
        var force = new Option<bool>("--force") { Description = "Overwrite the output." };
        var blend = new Command("blend",
            "Interpolate two models' weights, (1 − t)·A + t·B (a model soup): two fine-tunes of one model, e.g. for paper-style " +
            "and for real-footage SDR, blend into one that trades between them (measure it with 'bench quality').");
        blend.Arguments.Add(first);
        blend.Arguments.Add(second);
        foreach (var option in new Option[] { destination, weight, half, qp, notes, force })
            blend.Options.Add(option);
        CliRuntime.SetGuardedAction(blend, (parse, runtime, _) =>
        {
            string dest = parse.GetValue(destination)!, pathA = parse.GetValue(first)!, pathB = parse.GetValue(second)!;
            double t = parse.GetValue(weight);
            if (!(t >= 0 && t <= 1)) throw new ArgumentException($"--weight {t.ToString(CultureInfo.InvariantCulture)}: must be between 0 and 1");
            if (File.Exists(dest) && !parse.GetValue(force))
                throw new IOException($"{Path.GetFileName(dest)}: already exists; pass --force to overwrite it");
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
                string? extra = parse.GetValue(notes);
                var card = cardA! with
                {
                    Qp = parse.GetValue(qp) ?? cardA!.Qp,
                    TrainingData = $"blend of A: {cardA.TrainingData} and B: {cardB!.TrainingData}",
                    Iterations = null,
                    WallTimeSeconds = null,
                    ValidationPsnr = null,
                    ValidationDeltaEItp = null,
                    CreatedUtc = DateTimeOffset.UtcNow,
                    Notes = ($"Weight blend {rest}·A + {tText}·B ('hdrup model blend'), A = {Path.GetFileName(pathA)}, B = {Path.GetFileName(pathB)}. " +
                             $"A's notes: {cardA.Notes} B's notes: {cardB.Notes} {extra}").Trim(),
                };
                ModelStore.Save(a, card.Architecture, dest, card, parse.GetValue(half));
            }
            runtime.Console.MarkupLine($"wrote {Markup.Escape(dest)} and {Markup.Escape(ModelCard.PathFor(dest))}");
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return blend;
    }

    private static int List(CliRuntime runtime)
    {
        var table = new Table().AddColumn("name").AddColumn(new TableColumn("params").RightAligned()).AddColumn("description");
        foreach (var entry in ArchRegistry.Entries)
        {
            using var network = entry.Factory(ArchRegistry.DefaultWidth);
            long parameters = network.parameters().Sum(p => p.numel());
            table.AddRow(Markup.Escape(entry.Name), parameters.ToString("N0", CultureInfo.InvariantCulture), Markup.Escape(entry.Description));
        }
        runtime.Console.Write(table);
        return CliRuntime.ExitOk;
    }

    private static int Info(CliRuntime runtime, string target, int nf, string? architecture)
    {
        HdrNetwork network;
        ModelCard? card = null;
        if (ArchRegistry.Contains(target))
        {
            network = ArchRegistry.Create(target, nf);
        }
        else if (File.Exists(target))
        {
            (network, card) = ModelStore.Load(target, architecture);
        }
        else
        {
            throw new ArgumentException($"{target}: neither an architecture name (see 'hdrup model list') nor an existing weights file");
        }

        using (network)
        {
            var summary = ModelSummary.Of(network);
            var inv = CultureInfo.InvariantCulture;
            var table = new Table()
                .Title($"{Markup.Escape(summary.Network)} (nf = {summary.Width}, input sides a multiple of {summary.SizeMultiple})")
                .AddColumn("module").AddColumn(new TableColumn("params").RightAligned()).AddColumn("note");
            foreach (var module in summary.Modules)
                table.AddRow(Markup.Escape(module.Name), module.Parameters.ToString("N0", inv),
                    module.Executed ? (module.Buffers > 0 ? $"+{module.Buffers:N0} buffer values" : "") : "never executed (kept for checkpoint compatibility)");
            table.AddRow("[bold]total[/]", $"[bold]{summary.TotalParameters.ToString("N0", inv)}[/]", "as the paper counts");
            table.AddRow("executed", summary.ExecutedParameters.ToString("N0", inv), "used by the forward pass");
            table.AddRow("state-dict entries", summary.StateDictEntries.ToString(inv), "parameters + buffers");
            runtime.Console.Write(table);
        }

        if (card is not null)
        {
            var grid = new Table().Title("model card").AddColumn("field").AddColumn("value");
            void Row(string field, object? value) { if (value is not null) grid.AddRow(field, Markup.Escape(Convert.ToString(value, CultureInfo.InvariantCulture)!)); }
            Row("architecture", card.Architecture);
            Row("width", card.Width);
            Row("qp", card.Qp);
            Row("training data", card.TrainingData);
            Row("iterations", card.Iterations);
            Row("wall time (h)", card.WallTimeSeconds is double s ? Math.Round(s / 3600, 2) : null);
            Row("validation PSNR (dB)", card.ValidationPsnr is double p ? Math.Round(p, 3) : null);
            Row("validation ΔE_ITP", card.ValidationDeltaEItp is double d ? Math.Round(d, 3) : null);
            Row("weights", card.WeightsFile);
            Row("created", card.CreatedUtc);
            Row("notes", card.Notes);
            runtime.Console.Write(grid);
        }
        return CliRuntime.ExitOk;
    }
}
