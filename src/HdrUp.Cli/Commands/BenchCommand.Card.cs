using System.CommandLine;
using HdrUp.Bench;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    private static Command CreateCard(Option<string> output)
    {
        var weights = new Option<string[]>("--weights")
        {
            Description = "Models to score as NAME=FILE (weights with their model card), e.g. the ablation runs' kpnet-lean and kpnet-single-kib and a KUNet.",
            Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var qp = new Option<int>("--qp") { Description = "x265 intra QP applied to the card's SDR.", DefaultValueFactory = _ => 37 };
        var threads = ThreadsOption();
        var card = new Command("card",
            "The colour-card test of the paper's Fig. 6: a generated chart of saturated patches and gradients, compressed at --qp, mapped " +
            "by each model; ΔE_ITP per patch, at patch edges and inside (ghosting = edge − interior), and the picture side by side.");
        foreach (var option in new Option[] { weights, qp, threads, output })
            card.Options.Add(option);
        CliRuntime.SetGuardedAction(card, (parse, runtime, ct) =>
        {
            var models = BenchArguments.ParseNamedFiles(parse.GetValue(weights) ?? []);
            int qpValue = parse.GetValue(qp);
            var (markdown, csv, figure) = CardAndProbeBench.Card(models, qpValue, Math.Max(1, parse.GetValue(threads)),
                line => runtime.Console.MarkupLine(Markup.Escape(line)), ct);
            string stem = ReportStem(parse.GetValue(output)!, "card");
            markdown += $"\n![colour card]({Path.GetFileName(stem)}.png) Columns: {string.Join(" | ", figure.Columns(qpValue))}; HDR shown with the SDR preview mapping of 'bench quality'.\n";
            WriteReport(runtime, stem, markdown, ("csv", csv), [(".png", s => figure.Save(qpValue, s))]);
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return card;
    }
}
