using System.CommandLine;
using System.Globalization;
using HdrUp.Cli.Bench;
using HdrUp.Models;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary><c>hdrup bench speed</c>: throughput of the networks and metrics on this machine, written as a report.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure HdrUp on this machine and write reports to bench/results/.");

        var models = new Option<string>("--models")
        {
            Description = "Comma-separated architectures from 'hdrup model list'.",
            DefaultValueFactory = _ => "kpnet,kpnet-single-kib,kunet",
        };
        var sizes = new Option<string>("--sizes")
        {
            Description = "Comma-separated frame sizes: 540p, 1080p, 2160p (2160p runs in tiles and takes minutes per model).",
            DefaultValueFactory = _ => "540p,1080p",
        };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per case (the median is reported), after one warm-up.", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var output = new Option<string>("--out") { Description = "Folder for the JSON and Markdown reports.", DefaultValueFactory = _ => Path.Combine("bench", "results") };
        var speed = new Command("speed",
            "Network throughput (megapixels/s and GFLOP/s) per model and frame size, the same for a single 64→64 3×3 convolution " +
            "as this machine's practical ceiling (the ratio is reported), metric timings at 1080p, and peak memory. " +
            "Timings are medians in one run; compare ratios, not absolute times, across runs.");
        foreach (var option in new Option[] { models, sizes, repeats, threads, output })
            speed.Options.Add(option);
        CliRuntime.SetGuardedAction(speed, (parse, runtime, ct) =>
        {
            string[] modelNames = Split(parse.GetValue(models)!);
            foreach (string name in modelNames)
            {
                if (!ArchRegistry.Contains(name))
                    throw new ArgumentException($"--models: unknown architecture '{name}' (see 'hdrup model list')");
            }
            string[] sizeNames = Split(parse.GetValue(sizes)!);
            foreach (string size in sizeNames)
            {
                if (!SpeedBench.Sizes.Any(s => s.Name == size))
                    throw new ArgumentException($"--sizes: unknown size '{size}'; use {string.Join(", ", SpeedBench.Sizes.Select(s => s.Name))}");
            }
            int repeatCount = parse.GetValue(repeats);
            if (repeatCount < 1) throw new ArgumentException("--repeats must be at least 1");

            SpeedReport report = SpeedBench.Run(modelNames, sizeNames, repeatCount, Math.Max(1, parse.GetValue(threads)),
                line => runtime.Console.MarkupLine(Markup.Escape(line)), ct);
            var (json, markdown) = SpeedBench.Render(report);
            string folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            string stem = Path.Combine(folder, "speed-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture));
            WriteAtomically(stem + ".json", json);
            WriteAtomically(stem + ".md", markdown);
            runtime.Console.WriteLine(markdown);
            runtime.Console.MarkupLine($"report: {Markup.Escape(stem)}.md and .json");
            return Task.FromResult(CliRuntime.ExitOk);
        });
        bench.Subcommands.Add(speed);
        return bench;
    }

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void WriteAtomically(string path, string text)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
