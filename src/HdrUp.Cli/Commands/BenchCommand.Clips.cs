using System.CommandLine;
using System.Globalization;
using HdrUp.Bench;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    /// <summary><c>hdrup bench clips</c>: hue drift and chroma ratio of every method on real SDR clips (<see cref="ClipBench"/>).</summary>
    private static Command CreateClips(Option<string> output)
    {
        var clips = new Argument<string[]>("clips") { Description = "SDR clips (any format convert reads), or folders of them.", Arity = ArgumentArity.OneOrMore };
        var frames = new Option<int>("--frames") { Description = "Frames per clip, spread evenly over it.", DefaultValueFactory = _ => 8 };
        var qp = new Option<string>("--qp") { Description = "Model QP for the learned methods: auto (as 'convert --qp auto' picks it per clip) or a number.", DefaultValueFactory = _ => "auto" };
        var weights = new Option<string[]>("--weights")
        {
            Description = "Extra learned methods as NAME=FILE ({qp} in FILE for one file per QP); the shipped KPNet is always included.",
            AllowMultipleArgumentsPerToken = true,
        };
        var threads = ThreadsOption();
        var keep = KeepOption();
        var note = new Option<string?>("--caption") { Description = "Text added to the table caption." };
        var command = new Command("clips",
            "Run real SDR clips through every method (BT.2446A, BT.2408, the shipped KPNet, any --weights) and measure how well each keeps " +
            "the input's colours: hue drift and chroma ratio against the input placed by BT.2408 (docs/colour.md). Writes a table and, per clip, " +
            "a PNG with the input and each method side by side (HDR tone-mapped for an SDR screen).")
        {
            clips, frames, qp, weights, threads, keep, note, output,
        };
        CliRuntime.SetGuardedAction(command, (parse, runtime, ct) =>
        {
            var files = new List<string>();
            foreach (string path in parse.GetValue(clips)!)
            {
                if (Directory.Exists(path)) files.AddRange(Directory.GetFiles(path).Where(f => !f.EndsWith(".png", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal));
                else if (File.Exists(path)) files.Add(path);
                else throw new FileNotFoundException($"{path}: no such clip or folder", path);
            }
            if (files.Count == 0) throw new ArgumentException("no clips given");
            string qpText = parse.GetValue(qp)!;
            int? fixedQp = qpText == "auto" ? null
                : int.TryParse(qpText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int q) ? q : throw new ArgumentException($"--qp: '{qpText}' is neither auto nor a number");
            int perClip = parse.GetValue(frames);
            if (perClip < 1) throw new ArgumentException("--frames must be at least 1");
            var methods = QualityMethods.Standard(Math.Max(1, parse.GetValue(threads)), parse.GetValue(weights), parse.GetValue(keep));
            var figure = new CropFigure(Enumerable.Range(0, Math.Min(perClip, 3)).ToArray(), size: 256);
            var rows = ClipBench.Run(files, methods, fixedQp, perClip, line => runtime.Console.MarkupLine(Markup.Escape(line)), ct, figure);

            string stem = ReportStem(parse.GetValue(output)!, "clips");
            string caption = $"Colour fidelity on real SDR clips ({DateTime.UtcNow:yyyy-MM-dd}): hue drift = chroma-weighted mean |Δ hue| (ICtCp) of the output " +
                             "against the input placed by BT.2408, over chromatic unclipped input pixels; chroma ratio = Σ C_out / Σ C_in (docs/colour.md). " +
                             "Frames spread evenly over each clip, mapped whole, rounded to 16 bits; s/frame = mapping time on this machine." +
                             (parse.GetValue(note) is { } extra ? " " + extra : "");
            var (markdown, csv) = ClipBench.Render(rows, caption);
            var text = new System.Text.StringBuilder(markdown);
            var extras = new List<(string Suffix, Action<Stream> Write)>();
            foreach (int c in figure.Qps)
            {
                string clipName = Path.GetFileNameWithoutExtension(files[c]);
                string file = $"{Path.GetFileName(stem)}-{clipName}.png";
                extras.Add(($"-{clipName}.png", s => figure.Save(c, s)));
                text.AppendLine().AppendLine(
                    $"![{clipName}]({file}) **{clipName}** ({file}): rows = the first {figure.Frames.Count} sampled frames (centre {figure.Size}×{figure.Size}); " +
                    $"columns = {string.Join(" | ", figure.Columns(c))}. HDR shown on SDR as in 'bench quality' (203 cd/m² → 1.0, extended Reinhard, white 1000 cd/m²).");
            }
            WriteReport(runtime, stem, text.ToString(), ("csv", csv), extras);
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return command;
    }
}
