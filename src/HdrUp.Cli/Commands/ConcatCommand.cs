using System.CommandLine;
using System.Globalization;
using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Conversion;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary><c>hdrup concat</c>: the parts of <c>convert --segment K/N</c> in, the HDR10 file out.</summary>
internal static class ConcatCommand
{
    public static Command Create()
    {
        var parts = new Argument<string[]>("PART") { Description = "The parts written by 'hdrup convert --segment K/N', in any order: segments 1..N, each once.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "HDR10 file to write (.mkv or .mp4).", Required = true };
        var source = new Option<string?>("--source") { Description = "The SDR source (its audio, subtitles and chapters are copied). Default: the path recorded in the parts." };
        var crf = new Option<int>("--crf") { Description = "x265 constant rate factor; use the value a single 'convert' would.", DefaultValueFactory = _ => 18 };
        var preset = new Option<string>("--preset") { Description = "x265 preset; use the value a single 'convert' would.", DefaultValueFactory = _ => "medium" };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing output file." };
        var peak = new Option<double>("--peak") { Description = "Mastering display peak in cd/m²; use the value a single 'convert' would.", DefaultValueFactory = _ => 1000 };
        var transfer = TransferOption.Create();

        var command = new Command("concat",
            "Join the parts of a video converted on several machines ('convert --segment K/N') into the HDR10 file a single 'convert' " +
            "with the same settings writes, byte for byte: checks the parts belong together, merges their MaxCLL/MaxFALL, encodes with x265.");
        command.Arguments.Add(parts);
        foreach (var option in new Option[] { output, source, crf, preset, peak, transfer, force })
            command.Options.Add(option);

        CliRuntime.SetGuardedAction(command, (parse, runtime, ct) =>
        {
            int crfValue = parse.GetValue(crf);
            if (crfValue is < 0 or > 51)
                throw new ArgumentException($"--crf {crfValue}: must be between 0 and 51");
            TransferOption.Check(parse.GetValue(transfer), parse.GetValue(peak));
            var request = new ConcatRequest
            {
                Parts = parse.GetValue(parts)!,
                Output = parse.GetValue(output)!,
                Source = parse.GetValue(source),
                Crf = crfValue,
                Preset = parse.GetValue(preset)!,
                Force = parse.GetValue(force),
                MasteringDisplay = MasteringDisplay.P3D65_1000 with { MaxLuminance = parse.GetValue(peak) },
                Transfer = parse.GetValue(transfer),
            };
            ConvertResult? result = null;
            runtime.Progress().Start(context =>
                {
                    var encode = context.AddTask("encode", maxValue: 1);
                    var progress = new SynchronousProgress<ConvertProgress>(p =>
                    {
                        encode.MaxValue = Math.Max(1, p.Total);
                        encode.Value = p.Done;
                    });
                    result = ConcatJob.Run(request, progress, runtime.Warn, ct);
                    encode.Value = encode.MaxValue;
                });
            var r = result!;
            var summary = new Table().HideHeaders().AddColumn("").AddColumn("");
            summary.AddRow("parts", request.Parts.Count.ToString(CultureInfo.InvariantCulture));
            summary.AddRow("frames", $"{r.Frames} at {r.Width}×{r.Height}");
            TransferOption.AddSummaryRows(summary, request.Transfer, r.LightLevel);
            summary.AddRow(request.Transfer == HdrTransfer.Hlg ? "HLG file" : "HDR10 file", Markup.Escape(r.Output!));
            runtime.Console.Write(summary);
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return command;
    }
}
