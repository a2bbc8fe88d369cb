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
                AtomicFile.RefuseOverwrite(output, parse.GetValue(force));
            ModelFiles.Export(parse.GetValue(source)!, parse.GetValue(architecture), dest, parse.GetValue(qp), parse.GetValue(notes), parse.GetValue(half), graphPath);
            Wrote(runtime, dest);
            if (graphPath is not null) runtime.Console.MarkupLine($"wrote {Markup.Escape(graphPath)}");
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return export;
    }

    // The paper's "DnCNN + KUNet" row without '*' and its "DnCNN + HDRTV" row (ModelFiles.Cascade).
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
            AtomicFile.RefuseOverwrite(dest, parse.GetValue(force));
            ModelFiles.Cascade(parse.GetValue(architecture)!, parse.GetValue(restore)!, parse.GetValue(reconstruct)!, dest, parse.GetValue(qp));
            return Task.FromResult(Wrote(runtime, dest));
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
            string dest = parse.GetValue(destination)!;
            if (!(parse.GetValue(weight) is >= 0 and <= 1))
                throw new ArgumentException($"--weight {parse.GetValue(weight).ToString(CultureInfo.InvariantCulture)}: must be between 0 and 1");
            AtomicFile.RefuseOverwrite(dest, parse.GetValue(force));
            ModelFiles.Blend(parse.GetValue(first)!, parse.GetValue(second)!, parse.GetValue(weight), dest, parse.GetValue(qp), parse.GetValue(notes), parse.GetValue(half));
            return Task.FromResult(Wrote(runtime, dest));
        });
        return blend;
    }

    private static int Wrote(CliRuntime runtime, string dest)
    {
        runtime.Console.MarkupLine($"wrote {Markup.Escape(dest)} and {Markup.Escape(ModelCard.PathFor(dest))}");
        return CliRuntime.ExitOk;
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
