using System.CommandLine;
using System.Globalization;
using HdrUp.Cli.Help;
using HdrUp.Conversion;
using HdrUp.Core;
using HdrUp.Media;

namespace HdrUp.Cli.Commands;

/// <summary><c>hdrup concat</c>: the parts of <c>convert --segment K/N</c> in, the HDR10 file out.</summary>
internal static class ConcatCommand
{
    public static Command Create()
    {
        var b = new CommandBuilder("concat");
        var parts = b.Argument<string[]>("PART", ArgumentArity.OneOrMore);
        var output = b.Required<string>("--output", "-o");
        var source = b.Option<string?>("--source");
        var crf = b.Option("--crf", () => 18);
        var preset = b.Option("--preset", () => "medium");
        var peak = b.Option("--peak", () => 1000.0);
        var transfer = b.Option("--transfer", () => HdrTransfer.Pq);
        var force = b.Option<bool>("--force");
        return b.Action((parse, runtime, ct) =>
        {
            EncodeSettings.Check(parse.GetValue(crf), parse.GetValue(peak), parse.GetValue(transfer));
            var request = new ConcatRequest
            {
                Parts = parse.GetValue(parts)!, Output = parse.GetValue(output)!, Source = parse.GetValue(source),
                Crf = parse.GetValue(crf), Preset = parse.GetValue(preset)!, Force = parse.GetValue(force),
                MasteringDisplay = MasteringDisplay.P3D65_1000 with { MaxLuminance = parse.GetValue(peak) }, Transfer = parse.GetValue(transfer),
            };
            var r = runtime.WithProgress("encode", progress =>
                ConcatJob.Run(request, new SynchronousProgress<ConvertProgress>(p => progress.Report((p.Done, p.Total))), runtime.Warn, ct));
            runtime.WriteRows([
                ("parts", request.Parts.Count.ToString(CultureInfo.InvariantCulture)), ("frames", $"{r.Frames} at {r.Width}×{r.Height}"),
                .. EncodeSettings.TransferRows(request.Transfer, r.LightLevel), (EncodeSettings.FileLabel(request.Transfer), r.Output!)]);
            return CliRuntime.ExitOk;
        });
    }
}
