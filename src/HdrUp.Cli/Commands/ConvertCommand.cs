using System.CommandLine;
using HdrUp.Bench;
using HdrUp.Cli.Help;
using HdrUp.Conversion;
using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Models.Precision;
using HdrUp.Training.Dataset;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary><c>hdrup convert</c>: an SDR clip in, an HDR10 file out (<see cref="ConvertSession"/>).</summary>
internal static class ConvertCommand
{
    /// <summary>Names the dataset that calibrates int8 graphs and that --precision auto measures quality on.</summary>
    public const string DatasetVariable = "HDRUP_DATA";

    public static Command Create()
    {
        var b = new CommandBuilder("convert");
        var input = b.Argument<string>("INPUT");
        var output = b.Option<string?>("--output", "-o");
        var method = b.Option("--method", () => MappingMethod.Kpnet);
        var colour = b.Option<ColourSource?>("--colour");
        var peak = b.Option("--peak", () => 1000.0);
        var transfer = b.Option("--transfer", () => HdrTransfer.Pq);
        var model = b.Option<string?>("--model");
        var arch = b.Option<string?>("--arch");
        var qp = b.Option("--qp", () => "auto").AcceptOnlyFromAmong("auto", "32", "37", "42", "47");
        var quality = b.Option("--quality", () => Quality.Full);
        var grade = b.Option("--grade", () => Grade.General);
        var backend = b.Option("--backend", () => "auto").AcceptOnlyFromAmong("auto", "onnx", "torch");
        var precision = b.Option("--precision", () => "fp32").AcceptOnlyFromAmong("auto", "fp32", "bf16", "int8");
        var crf = b.Option("--crf", () => 18);
        var preset = b.Option("--preset", () => "medium");
        var framesOut = b.Option<string?>("--frames-out");
        var force = b.Option<bool>("--force");
        var allowHdr = b.Option<bool>("--allow-hdr-input");
        var threads = b.Option("--threads", () => Environment.ProcessorCount);
        var tile = b.Option("--tile", () => 0);
        var maxMemory = b.Option<string?>("--max-memory");
        var maxFrames = b.Option<int?>("--max-frames");
        var deinterlace = b.Option("--deinterlace", () => DeinterlaceRate.Frame);
        var keepSar = b.Option<bool>("--keep-sar");
        var segment = b.Option<string?>("--segment");
        var report = b.Option<string?>("--report");
        var preview = b.Option<string?>("--preview");
        var previewFrame = b.Option<int?>("--preview-frame");
        return b.Action((parse, runtime, ct) => Run(runtime, new ConvertOrder
        {
            Input = parse.GetValue(input)!, Output = parse.GetValue(output), FramesOut = parse.GetValue(framesOut),
            Mapping = new MappingRequest
            {
                Method = parse.GetValue(method), Model = parse.GetValue(model), Arch = parse.GetValue(arch), Qp = parse.GetValue(qp)!,
                Quality = parse.GetValue(quality), Grade = parse.GetValue(grade), Backend = parse.GetValue(backend)!, Precision = NumericPrecisions.Parse(parse.GetValue(precision)!),
                Dataset = Environment.GetEnvironmentVariable(DatasetVariable) is { Length: > 0 } dataset ? new DatasetLayout(dataset).ConversionFolders() : null,
                Threads = parse.GetValue(threads), Tile = parse.GetValue(tile), Colour = parse.GetValue(colour), Peak = parse.GetValue(peak),
                MaxMemory = parse.GetValue(maxMemory) is string budget ? MemoryBudget.Parse(budget) : null,
            },
            Crf = parse.GetValue(crf), Preset = parse.GetValue(preset)!, Force = parse.GetValue(force), AllowHdrInput = parse.GetValue(allowHdr),
            MaxFrames = parse.GetValue(maxFrames), Segment = parse.GetValue(segment) is string spec ? SegmentSpec.Parse(spec) : null,
            Transfer = parse.GetValue(transfer), Deinterlace = parse.GetValue(deinterlace), KeepSampleAspectRatio = parse.GetValue(keepSar),
            Delivery = new(parse.GetValue(report), parse.GetValue(preview), parse.GetValue(previewFrame)),
        }, ct));
    }

    private static int Run(CliRuntime runtime, ConvertOrder order, CancellationToken cancellationToken)
    {
        using var session = ConvertSession.Open(order, runtime.Log, cancellationToken);
        string name = session.Mapping.Mapper.Name;
        runtime.Console.MarkupLine($"[bold]{Markup.Escape(session.InputLine)}[/]");
        runtime.Console.MarkupLine($"mapping: {Markup.Escape(session.Mapping.Choice)}");
        ConvertResult? result = null;
        runtime.Progress().Start(context =>
        {
            var network = context.AddTask(Markup.Escape(name), maxValue: Math.Max(1, session.Info.FrameCount));
            var encode = context.AddTask(order.Segment is null ? "encode" : "part (FFV1)", autoStart: false, maxValue: 1);
            var progress = new SynchronousProgress<ConvertProgress>(p =>
            {
                var task = p.Stage is "encode" or "part" ? encode : network;
                if (!task.IsStarted) task.StartTask();
                (task.MaxValue, task.Value) = (Math.Max(1, p.Total), p.Done);
                if (p.Stage == "network" && p.Resumed > 0) task.Description = Markup.Escape($"{name} ({p.Resumed} resumed)");
            });
            result = session.Run(progress, runtime.Warn, cancellationToken);
            (network.Value, encode.Value) = (network.MaxValue, encode.MaxValue);
        });
        runtime.WriteRows(session.Summary(result!));
        return CliRuntime.ExitOk;
    }
}
