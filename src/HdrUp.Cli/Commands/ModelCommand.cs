using System.CommandLine;
using System.Globalization;
using HdrUp.Cli.Help;
using HdrUp.Core;
using HdrUp.Models;
using HdrUp.Models.Checkpoints;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary><c>hdrup model list|info|export|cascade|blend</c>: the networks HdrUp knows, what a weights file holds, and shippable model files (<see cref="ModelFiles"/>).</summary>
internal static class ModelCommand
{
    public static Command Create() => new CommandBuilder("model")
        .Subcommand("list", b => b.Action((_, runtime, _) => Write(runtime, ModelSummary.Registry())))
        .Subcommand("info", b =>
        {
            var target = b.Argument<string>("NAME|FILE");
            var width = b.Option("--nf", () => ArchRegistry.DefaultWidth);
            var architecture = b.Option<string?>("--arch");
            b.Action((parse, runtime, _) => Info(runtime, parse.GetValue(target)!, parse.GetValue(width), parse.GetValue(architecture)));
        })
        .Subcommand("export", b =>
        {
            var source = b.Argument<string>("SOURCE");
            var destination = b.Argument<string>("DEST");
            var (architecture, half, qp, notes) = (b.Option<string?>("--arch"), b.Option<bool>("--fp16"), b.Option<int?>("--qp"), b.Option<string?>("--notes"));
            var (onnx, force) = (b.Option<bool>("--onnx"), b.Option<bool>("--force"));
            b.Action((parse, runtime, _) =>
            {
                string dest = parse.GetValue(destination)!;
                string? graphPath = parse.GetValue(onnx) ? Path.ChangeExtension(dest, ".onnx") : null;
                foreach (string output in new[] { dest, graphPath }.OfType<string>())
                    AtomicFile.RefuseOverwrite(output, parse.GetValue(force));
                ModelFiles.Export(parse.GetValue(source)!, parse.GetValue(architecture), dest, parse.GetValue(qp), parse.GetValue(notes), parse.GetValue(half), graphPath);
                if (graphPath is not null) runtime.Console.MarkupLine($"wrote {Markup.Escape(graphPath)}");
                return Wrote(runtime, dest);
            });
        })
        // The paper's "DnCNN + KUNet" row without '*' and its "DnCNN + HDRTV" row (ModelFiles.Cascade).
        .Subcommand("cascade", b =>
        {
            var destination = b.Argument<string>("DEST");
            var (restore, reconstruct) = (b.Required<string>("--restore"), b.Required<string>("--reconstruct"));
            var architecture = b.Option("--arch", () => "dncnn-kunet").AcceptOnlyFromAmong("dncnn-kunet", "dncnn-hdrtv");
            var (qp, force) = (b.Option<int?>("--qp"), b.Option<bool>("--force"));
            b.Action((parse, runtime, _) =>
            {
                string dest = parse.GetValue(destination)!;
                AtomicFile.RefuseOverwrite(dest, parse.GetValue(force));
                ModelFiles.Cascade(parse.GetValue(architecture)!, parse.GetValue(restore)!, parse.GetValue(reconstruct)!, dest, parse.GetValue(qp));
                return Wrote(runtime, dest);
            });
        })
        // Two fine-tunes of one model blended weight by weight: a trade-off between what each was tuned for, without training.
        .Subcommand("blend", b =>
        {
            var (first, second) = (b.Argument<string>("A"), b.Argument<string>("B"));
            var destination = b.Required<string>("--output", "-o");
            var weight = b.Option("--weight", () => 0.5);
            var (half, qp, notes, force) = (b.Option<bool>("--fp16"), b.Option<int?>("--qp"), b.Option<string?>("--notes"), b.Option<bool>("--force"));
            b.Action((parse, runtime, _) =>
            {
                string dest = parse.GetValue(destination)!;
                if (!(parse.GetValue(weight) is >= 0 and <= 1))
                    throw new ArgumentException($"--weight {parse.GetValue(weight).ToString(CultureInfo.InvariantCulture)}: must be between 0 and 1");
                AtomicFile.RefuseOverwrite(dest, parse.GetValue(force));
                ModelFiles.Blend(parse.GetValue(first)!, parse.GetValue(second)!, parse.GetValue(weight), dest, parse.GetValue(qp), parse.GetValue(notes), parse.GetValue(half));
                return Wrote(runtime, dest);
            });
        })
        .Command;

    private static int Wrote(CliRuntime runtime, string dest)
    {
        runtime.Console.MarkupLine($"wrote {Markup.Escape(dest)} and {Markup.Escape(ModelCard.PathFor(dest))}");
        return CliRuntime.ExitOk;
    }

    private static int Write(CliRuntime runtime, TextTable table)
    {
        runtime.Write(table);
        return CliRuntime.ExitOk;
    }

    private static int Info(CliRuntime runtime, string target, int nf, string? architecture)
    {
        (HdrNetwork network, ModelCard? card) = ArchRegistry.Contains(target) ? (ArchRegistry.Create(target, nf), null)
            : File.Exists(target) ? ModelStore.Load(target, architecture)
            : throw new ArgumentException($"{target}: neither an architecture name (see 'hdrup model list') nor an existing weights file");
        using (network)
            runtime.Write(ModelSummary.Of(network).ToTable());
        if (card is not null) runtime.Write(card.ToTable());
        return CliRuntime.ExitOk;
    }
}
