using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HdrUp.Conversion;
using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Models;
using HdrUp.Models.Inference;
using TorchSharp;

namespace HdrUp.Bench;

/// <summary>One end-to-end conversion: the network's share of it and the process's memory high-water mark.</summary>
public sealed record ConvertBenchRow(string Model, string Backend, string Size, int Frames, int Tile, double NetworkSecondsPerFrame,
    double ConvertSecondsPerFrame, double ConvertToNetworkRatio, long PeakResidentBytes);

/// <summary>The report <c>hdrup bench convert</c> writes.</summary>
public sealed record ConvertBenchReport(string Date, string Machine, int Threads, string Preset, IReadOnlyList<ConvertBenchRow> Rows);

/// <summary>
/// <c>hdrup bench convert</c>: converts a generated SDR clip (ffmpeg testsrc2, H.264, BT.709) to HDR10 with the
/// real <see cref="ConvertJob"/> (decode, network, light levels, x265 encode, mux) and times the network calls
/// inside that same run, so the ratio convert ÷ network is what the pipeline adds around the network (#9 target:
/// ≤ 1.3), with the backend convert picks by default (<see cref="InferenceOptions.Fastest"/>). Peak memory is this process's VmHWM after each conversion; ffmpeg and x265 run as child processes and
/// are not counted. Run one size per process to read the peak of that size alone.
/// </summary>
public static class ConvertBench
{
    public static ConvertBenchReport Run(IReadOnlyList<string> models, IReadOnlyList<string> sizes, int frames, int threads, string preset,
        Action<string> log, CancellationToken cancellationToken)
    {
        torch.set_num_threads(threads);
        var rows = new List<ConvertBenchRow>();
        string folder = Directory.CreateTempSubdirectory("hdrup-bench-convert-").FullName;
        try
        {
            foreach (var (name, width, height) in SpeedBench.Sizes.Where(s => sizes.Contains(s.Name)))
            {
                string clip = Path.Combine(folder, $"{name}.mp4");
                Ffmpeg.RunToString(Ffmpeg.FfmpegPath,
                    ["-v", "error", "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=25", "-frames:v", frames.ToString(CultureInfo.InvariantCulture),
                     "-c:v", "libx264", "-pix_fmt", "yuv420p", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", clip],
                    cancellationToken);
                foreach (string model in models)
                {
                    var network = ArchRegistry.Create(model);
                    network.eval();
                    var backend = InferenceOptions.Fastest(network);
                    int tile = MappingFactory.TileFor(width, height, PeakMemoryModel.For(model, backend), MemoryBudget.Default(), network.SizeMultiple).Tile;
                    using var timed = new TimedMapper(new NetworkFrameMapper(model, network, new InferenceOptions { Threads = threads, TileSize = tile, Backend = backend }));
                    string output = Path.Combine(folder, $"{name}-{model}.mkv");
                    log($"{model} {name}: converting {frames} frames ({(tile > 0 ? $"tiles {tile}" : "whole frames")}, x265 {preset})");
                    var clock = Stopwatch.StartNew();
                    ConvertJob.Run(new ConvertRequest { Input = clip, Output = output, Mapper = timed, Signature = "bench", Preset = preset, Force = true },
                        cancellationToken: cancellationToken);
                    double convert = clock.Elapsed.TotalSeconds / frames, net = timed.Seconds / frames;
                    var row = new ConvertBenchRow(model, backend.ToString(), name, frames, tile, net, convert, convert / net, ProcessMemory.PeakResidentBytes());
                    rows.Add(row);
                    log(string.Create(CultureInfo.InvariantCulture,
                        $"{model} {name}: network {net:F2} s/frame, convert {convert:F2} s/frame, ratio {row.ConvertToNetworkRatio:F3}, peak RSS {row.PeakResidentBytes >> 20} MiB"));
                    File.Delete(output);
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return new ConvertBenchReport(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            SpeedBench.MachineDescription(), threads, preset, rows);
    }

    public static (string Json, string Markdown) Render(ConvertBenchReport report)
    {
        var inv = CultureInfo.InvariantCulture;
        string json = JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        var md = new StringBuilder();
        md.AppendLine(inv, $"# hdrup bench convert — {report.Date}").AppendLine();
        md.Append(inv, $"Machine: {report.Machine}. Threads: {report.Threads}. x265 preset {report.Preset}. ");
        md.AppendLine("Input: ffmpeg testsrc2, H.264 BT.709; the network times are the mapper calls inside the same conversion. " +
                      "Peak RSS: the hdrup process (ffmpeg and x265 are separate processes).").AppendLine();
        md.AppendLine("| model | backend | size | frames | tiles | network s/frame | convert s/frame | convert ÷ network | peak RSS MiB |");
        md.AppendLine("|---|---|---|---:|---|---:|---:|---:|---:|");
        foreach (var r in report.Rows)
            md.AppendLine(inv, $"| {r.Model} | {r.Backend} | {r.Size} | {r.Frames} | {(r.Tile > 0 ? r.Tile.ToString(inv) : "whole frame")} | {r.NetworkSecondsPerFrame:F3} | {r.ConvertSecondsPerFrame:F3} | {r.ConvertToNetworkRatio:F3} | {r.PeakResidentBytes >> 20} |");
        return (json, md.ToString());
    }

    // Sums the time spent inside the wrapped mapper; ConvertJob calls Map from one thread.
    private sealed class TimedMapper(NetworkFrameMapper inner) : IFrameMapper, IDisposable
    {
        private readonly Stopwatch clock = new();
        public string Name => inner.Name;
        public double Seconds => clock.Elapsed.TotalSeconds;

        public RgbPlanarFrame Map(RgbPlanarFrame input, CancellationToken cancellationToken = default)
        {
            clock.Start();
            try { return inner.Map(input, cancellationToken); }
            finally { clock.Stop(); }
        }

        public void Dispose() => inner.Dispose();
    }
}
