using System.CommandLine;
using System.Globalization;
using HdrUp.Bench;
using HdrUp.Conversion;
using HdrUp.Conversion.Delivery;
using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Models.Precision;
using HdrUp.Training.Dataset;
using Spectre.Console;

namespace HdrUp.Cli.Commands;

/// <summary><c>hdrup convert</c>: an SDR clip in, an HDR10 file out.</summary>
internal static class ConvertCommand
{
    /// <summary>Names the dataset that calibrates int8 graphs and that --precision auto measures quality on.</summary>
    public const string DatasetVariable = "HDRUP_DATA";

    public static Command Create()
    {
        var input = new Argument<string>("INPUT")
        {
            Description = "SDR video (mp4, mkv, mov, webm, avi…), a still image, or an image-sequence pattern such as frames/%05d.png. It is read as a " +
                          "player shows it: turned (and mirrored) as its display matrix says, the output stored upright; full or limited range as tagged " +
                          "(yuvj formats are full); interlaced video deinterlaced (--deinterlace); non-square pixels resampled to square (--keep-sar); " +
                          "frames that cannot be decoded at the start held from the first decodable picture, so the sound stays in sync. " +
                          "The summary names each of these.",
        };
        var output = new Option<string?>("--output", "-o") { Description = "HDR10 file to write (.mkv or .mp4). Default: INPUT's name with -hdr10.mkv, beside it." };
        var method = new Option<MappingMethod>("--method")
        {
            Description = "kpnet (the network), or a non-learned mapping to compare with: bt2446a (ITU-R BT.2446 Method A inverse), bt2408 (SDR white placed at 203 cd/m²).",
            DefaultValueFactory = _ => MappingMethod.Kpnet,
        };
        var colour = new Option<ColourSource?>("--colour")
        {
            Description = "keep (the default for the network): the output takes its light from the mapping and its colours (chromaticity) from " +
                          "the input as BT.2408 places it, so hues cannot drift (raw networks drift 3–30° on real clips; measured in the README, " +
                          "docs/colour.md). model (the default for --method bt2446a|bt2408, so the standards stay as published): the mapping's output as it is.",
        };
        var peak = new Option<double>("--peak")
        {
            Description = "Mastering display peak in cd/m² (100–10000), written to the mastering display metadata. Output light above 75 % of it " +
                          "is rolled off smoothly (f(x) = k + (P − k)(1 − e^−(x−k)/(P−k)) on the largest channel, hue kept), so MaxCLL never exceeds it.",
            DefaultValueFactory = _ => 1000,
        };
        var transfer = TransferOption.Create();
        var model = new Option<string?>("--model") { Description = "Weights file (.safetensors with its model card, or PyTorch .pth with --arch) instead of the shipped model for the QP." };
        var arch = new Option<string?>("--arch") { Description = "Architecture of a --model file without a model card (see 'hdrup model list')." };
        var qp = new Option<string>("--qp")
        {
            Description = "Compression level of the input, choosing the shipped model trained for it: 32, 37, 42, 47 or auto (nearest shipped model; the choice is printed).",
            DefaultValueFactory = _ => "auto",
        };
        qp.AcceptOnlyFromAmong("auto", "32", "37", "42", "47");
        var quality = new Option<Quality>("--quality")
        {
            Description = "Shipped model family: full (the published KPNet) or fast (a narrow KPNet distilled from it, several times faster " +
                          "for a small quality loss; measured in the README).",
            DefaultValueFactory = _ => Quality.Full,
        };
        var backend = new Option<string>("--backend")
        {
            Description = "What runs the network: onnx (ONNX Runtime, KPNet family only, fastest here), torch (libtorch), or auto (onnx where it can).",
            DefaultValueFactory = _ => "auto",
        };
        backend.AcceptOnlyFromAmong("auto", "onnx", "torch");
        var precision = new Option<string>("--precision")
        {
            Description = "Arithmetic of the network: fp32 (default); bf16 (libtorch, where the CPU has bf16 units); int8 (ONNX Runtime, KPNet " +
                          "family only: int8 weights per output channel and uint8 activations calibrated on the training crops of $HDRUP_DATA, or on " +
                          "frames of the bundled sample; the graph is made once per weights file and cached); auto = the fastest of these whose " +
                          $"quality loss against fp32 on the test split of $HDRUP_DATA is at most {PrecisionChoice.MaxPsnrLoss} dB PSNR and " +
                          $"{PrecisionChoice.MaxDeltaEItpLoss} ΔE_ITP, measured on this machine once per weights file ({PrecisionChoice.TestCrops} test " +
                          "crops, kept beside the cached graphs); fp32 when HDRUP_DATA names no dataset with a test split. See 'hdrup bench speed --int8 --bf16'.",
            DefaultValueFactory = _ => "fp32",
        };
        precision.AcceptOnlyFromAmong("auto", "fp32", "bf16", "int8");
        var crf = new Option<int>("--crf") { Description = "x265 constant rate factor (lower = better and larger).", DefaultValueFactory = _ => 18 };
        var preset = new Option<string>("--preset") { Description = "x265 preset (ultrafast … veryslow).", DefaultValueFactory = _ => "medium" };
        var framesOut = new Option<string?>("--frames-out") { Description = "Also write every frame as a 16-bit PQ BT.2020 PNG (the paper's format) into this folder." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing output file or non-empty frames folder." };
        var allowHdr = new Option<bool>("--allow-hdr-input") { Description = "Convert an input that is already HDR (PQ/HLG), treating its code values as SDR." };
        var threads = new Option<int>("--threads") { Description = "CPU threads for the network.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var tile = new Option<int>("--tile")
        {
            Description = "Tile edge in pixels for the network (0 = chosen from --max-memory: whole frames when they fit, else the tiles that fit with the least extra work).",
            DefaultValueFactory = _ => 0,
        };
        var maxMemory = new Option<string?>("--max-memory")
        {
            Description = "Memory the conversion may use, e.g. 3G or 1500M (binary units); the network runs whole frames if their predicted peak " +
                          "fits, else the tiles that fit with the least extra work (tiles cost time and a little accuracy; measured in the README). Default: a quarter of this machine's memory " +
                          $"(or its container's limit), at most {MemoryBudget.Format(MemoryBudget.DefaultCap)}. The summary gives the tiles and the predicted and measured peak.",
        };
        var maxFrames = new Option<int?>("--max-frames") { Description = "Convert only the first N frames (a preview)." };
        var deinterlace = new Option<DeinterlaceRate>("--deinterlace")
        {
            Description = "What an interlaced input (field_order tt/bb/tb/bt, or idet's verdict when the file does not say) becomes, always with " +
                          "bwdif before anything else: frame (one picture per frame, the input's frame rate) or field (one per field, twice the rate, " +
                          "smoother motion, twice the network time; not with --segment). Progressive input, and a file whose field_order says " +
                          "progressive, is untouched.",
            DefaultValueFactory = _ => DeinterlaceRate.Frame,
        };
        var keepSar = new Option<bool>("--keep-sar")
        {
            Description = "Keep non-square pixels (e.g. 720×480 DVD at 32:27) as stored and tag their shape in the output, instead of resampling " +
                          "them to square pixels (854×480); players stretch them the same way either way.",
        };
        var segment = new Option<string?>("--segment")
        {
            Description = "K/N: convert only the K-th of N keyframe-aligned segments into a lossless part (-o part.mkv), to spread a video over " +
                "N machines; 'hdrup concat' joins the parts into the file one run would write (docs/scale-out.md).",
        };

        var command = new Command("convert",
            "Convert an SDR clip to HDR10: HEVC Main10 (x265), BT.2020 primaries, SMPTE ST 2084 (PQ), limited range, mastering " +
            "display and MaxCLL/MaxFALL metadata (or HLG with --transfer hlg); audio, subtitles and chapters copied. Interrupted runs resume: run the same command again.");
        var delivery = new DeliveryOptions();
        command.Arguments.Add(input);
        foreach (var option in new Option[] { output, method, colour, peak, transfer, model, arch, qp, quality, backend, precision, crf, preset, framesOut, force, allowHdr, threads, tile, maxMemory, maxFrames, deinterlace, keepSar, segment }.Concat(delivery.All))
            command.Options.Add(option);

        CliRuntime.SetGuardedAction(command, (parse, runtime, ct) =>
        {
            string source = parse.GetValue(input)!;
            string? destination = parse.GetValue(output);
            string? frames = parse.GetValue(framesOut);
            SegmentSpec? part = parse.GetValue(segment) is string spec ? SegmentSpec.Parse(spec) : null;
            if (destination is null && frames is null && part is SegmentSpec p)
                destination = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(source))!,
                    $"{Path.GetFileNameWithoutExtension(source)}-part{p.Index:D3}of{p.Count:D3}.mkv");
            else if (destination is null && frames is null)
                destination = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(source))!, Path.GetFileNameWithoutExtension(source) + "-hdr10.mkv");
            var mapping = new MappingRequest
            {
                Method = parse.GetValue(method), Model = parse.GetValue(model), Arch = parse.GetValue(arch), Qp = parse.GetValue(qp)!,
                Quality = parse.GetValue(quality), Backend = parse.GetValue(backend)!, Precision = NumericPrecisions.Parse(parse.GetValue(precision)!),
                Dataset = Environment.GetEnvironmentVariable(DatasetVariable) is { Length: > 0 } dataset ? new DatasetLayout(dataset).ConversionFolders() : null,
                Threads = parse.GetValue(threads), Tile = parse.GetValue(tile), Colour = parse.GetValue(colour), Peak = parse.GetValue(peak),
                MaxMemory = parse.GetValue(maxMemory) is string budget ? MemoryBudget.Parse(budget) : null,
            };
            var settings = new Settings(source, destination, frames, mapping, parse.GetValue(crf), parse.GetValue(preset)!, parse.GetValue(force),
                parse.GetValue(allowHdr), parse.GetValue(maxFrames), part, parse.GetValue(transfer), parse.GetValue(deinterlace), parse.GetValue(keepSar))
            {
                Delivery = delivery.Get(parse),
            };
            return Task.FromResult(Run(runtime, settings, ct));
        });
        return command;
    }

    private sealed record Settings(string Input, string? Output, string? FramesOut, MappingRequest Mapping, int Crf, string Preset, bool Force,
        bool AllowHdrInput, int? MaxFrames, SegmentSpec? Segment, HdrTransfer Transfer, DeinterlaceRate Deinterlace, bool KeepSar)
    {
        public DeliveryRequest Delivery { get; init; } = new(null, null, null);
    }

    private static int Run(CliRuntime runtime, Settings s, CancellationToken cancellationToken)
    {
        if (s.Crf is < 0 or > 51)
            throw new ArgumentException($"--crf {s.Crf}: must be between 0 and 51");
        double peak = s.Mapping.Peak;
        if (!(peak is >= 100 and <= 10000))
            throw new ArgumentException($"--peak {peak.ToString(CultureInfo.InvariantCulture)}: must be between 100 and 10000 cd/m²");
        TransferOption.Check(s.Transfer, peak);
        if (s.Segment is not null && s.Transfer != HdrTransfer.Pq)
            throw new ArgumentException("--transfer with --segment: parts are always PQ; pass --transfer to 'hdrup concat', which writes the file");
        var info = MediaProbe.Probe(s.Input, cancellationToken: cancellationToken);
        var delivery = DeliveryOutputs.Start(s.Delivery, s.Force, s.Segment is not null, s.Input,
            info.FrameCountIsExact ? Math.Min(info.FrameCount, s.MaxFrames ?? long.MaxValue) : null);
        using var mapping = MappingFactory.Create(s.Mapping, info, cancellationToken, line => runtime.Console.MarkupLine(Markup.Escape(line)));
        var (mapper, choice) = (mapping.Mapper, mapping.Choice);
        runtime.Console.MarkupLine($"[bold]{Markup.Escape(Path.GetFileName(s.Input))}[/]: {info.Width}×{info.Height}, {info.FrameRate.Value.ToString("0.###", CultureInfo.InvariantCulture)} fps, {info.Codec}");
        runtime.Console.MarkupLine($"mapping: {Markup.Escape(choice)}");

        var request = new ConvertRequest
        {
            Input = s.Input,
            Output = s.Output,
            FramesOut = s.FramesOut,
            Mapper = mapper,
            Signature = mapping.Signature,
            Probe = info,
            Force = s.Force,
            AllowHdrInput = s.AllowHdrInput,
            Crf = s.Crf,
            Preset = s.Preset,
            MaxFrames = s.MaxFrames,
            Segment = s.Segment,
            Deinterlace = s.Deinterlace,
            KeepSampleAspectRatio = s.KeepSar,
            MasteringDisplay = MasteringDisplay.P3D65_1000 with { MaxLuminance = peak },
            Transfer = s.Transfer,
            Observer = delivery?.Observer,
        };
        ConvertResult? result = null;
        runtime.Progress().Start(context =>
            {
                var network = context.AddTask($"{mapper.Name}", maxValue: Math.Max(1, info.FrameCount));
                var encode = context.AddTask(s.Segment is null ? "encode" : "part (FFV1)", autoStart: false, maxValue: 1);
                var progress = new SynchronousProgress<ConvertProgress>(p =>
                {
                    var task = p.Stage is "encode" or "part" ? encode : network;
                    if (!task.IsStarted) task.StartTask();
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                    if (p.Stage == "network" && p.Resumed > 0) task.Description = $"{mapper.Name} ({p.Resumed} resumed)";
                });
                result = ConvertJob.Run(request, progress, runtime.Warn, cancellationToken);
                network.Value = network.MaxValue;
                encode.Value = encode.MaxValue;
            });

        var r = result!;
        delivery?.Finish(r, new DeliveryContext(s.Input, choice, mapper.Name, mapping.Qp, s.Transfer, peak));
        var summary = new Table().HideHeaders().AddColumn("").AddColumn("");
        summary.AddRow("frames", $"{r.Frames} at {r.Width}×{r.Height}, {r.FrameRate.Value.ToString("0.###", CultureInfo.InvariantCulture)} fps"
            + (r.ResumedFrames > 0 ? $" ({r.ResumedFrames} from the previous run)" : ""));
        // How the input was read, one row per step taken: what a player does with it, done to the pixels.
        foreach (var adjustment in r.Adjustments)
            summary.AddRow(adjustment.Topic, Markup.Escape(adjustment.Description + OptionHint(adjustment.Topic, s)));
        summary.AddRow("time", $"{r.Elapsed:hh\\:mm\\:ss} ({(r.Frames / Math.Max(1e-9, r.Elapsed.TotalSeconds)).ToString("0.00", CultureInfo.InvariantCulture)} frames/s)");
        TransferOption.AddSummaryRows(summary, s.Transfer, r.LightLevel);
        summary.AddRow("mapping", Markup.Escape(choice));
        if (mapping.Tiles is { } tiles)
            summary.AddRow("memory", $"peak {MemoryBudget.Format(ProcessMemory.PeakResidentBytes())} (predicted {MemoryBudget.Format(tiles.PredictedBytes)})");
        if (r.Output is not null) summary.AddRow(s.Segment is not null ? $"part {s.Segment}" : s.Transfer == HdrTransfer.Hlg ? "HLG file" : "HDR10 file", Markup.Escape(r.Output));
        if (r.FramesOut is not null) summary.AddRow("PQ PNG frames", Markup.Escape(r.FramesOut));
        foreach (var (label, value) in delivery?.SummaryRows() ?? [])
            summary.AddRow(label, Markup.Escape(value));
        runtime.Console.Write(summary);
        return CliRuntime.ExitOk;
    }

    /// <summary>The option that would have made the other choice, for the rows where there is one.</summary>
    private static string OptionHint(string topic, Settings s) => topic switch
    {
        "interlacing" => s.Deinterlace == DeinterlaceRate.Frame ? " (--deinterlace field: one per field)" : " (--deinterlace frame: one per frame)",
        "pixel shape" => s.KeepSar ? "" : " (--keep-sar keeps them)",
        _ => "",
    };
}
