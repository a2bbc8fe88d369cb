using System.CommandLine;
using HdrUp.Bench;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

internal static partial class BenchCommand
{
    private static Command CreateProfile(Option<string> output)
    {
        var models = ModelsOption("kpnet");
        var size = new Option<string>("--size") { Description = "Frame size: 540p, 1080p or 2160p (whole frame, no tiles).", DefaultValueFactory = _ => "1080p" };
        var frames = new Option<int>("--frames") { Description = "Profiled frames after one warm-up (times are per frame).", DefaultValueFactory = _ => 1 };
        var depth = new Option<int>("--depth") { Description = "Deepest module level in the table (0 = top-level modules).", DefaultValueFactory = _ => 1 };
        var threads = ThreadsOption();
        var profile = new Command("profile",
            "Time per module of one frame (forward hooks), its convolutions' GFLOP/s against this machine's 64→64 3×3 ceiling, " +
            "and managed allocation per frame: where a model's time goes.");
        foreach (var option in new Option[] { models, size, frames, depth, threads, output })
            profile.Options.Add(option);
        CliRuntime.SetGuardedAction(profile, (parse, runtime, ct) =>
        {
            string[] modelNames = BenchArguments.Architectures(parse.GetValue(models)!);
            string sizeName = BenchArguments.FrameSizes(parse.GetValue(size)!, "--size").Single();
            int frameCount = parse.GetValue(frames), threadCount = Math.Max(1, parse.GetValue(threads));
            if (frameCount < 1) throw new ArgumentException("--frames must be at least 1");
            Action<string> log = line => runtime.Console.MarkupLine(Markup.Escape(line));
            TorchSharp.torch.set_num_threads(threadCount);
            double ceiling = SpeedBench.ConvCeiling(3, log);
            var markdown = new System.Text.StringBuilder($"# hdrup bench profile — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC\n\nMachine: {SpeedBench.MachineDescription()}.\n\n");
            var reports = new List<ProfileReport>();
            foreach (string name in modelNames)
            {
                var report = ProfileBench.Run(name, sizeName, frameCount, threadCount, log, ct);
                reports.Add(report);
                markdown.AppendLine(ProfileBench.Render(report, ceiling, parse.GetValue(depth)));
            }
            string json = System.Text.Json.JsonSerializer.Serialize(new { ceiling_gflops = ceiling, profiles = reports },
                new System.Text.Json.JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower });
            WriteReport(runtime, ReportStem(parse.GetValue(output)!, "profile"), markdown.ToString(), ("json", json));
            return Task.FromResult(CliRuntime.ExitOk);
        });
        return profile;
    }
}
