using System.Globalization;
using HdrUp.Conversion.Delivery;
using HdrUp.Core;
using HdrUp.Media;

namespace HdrUp.Conversion;

/// <summary>What <c>hdrup convert</c> was asked, before the input is probed: the files, the mapping and the encode settings.</summary>
public sealed record ConvertOrder
{
    public required string Input { get; init; }

    /// <summary>Null: beside the input (<see cref="ConvertSession.DefaultOutput"/>), unless only frames are wanted.</summary>
    public string? Output { get; init; }

    public string? FramesOut { get; init; }
    public required MappingRequest Mapping { get; init; }
    public int Crf { get; init; } = 18;
    public string Preset { get; init; } = "medium";
    public bool Force { get; init; }
    public bool AllowHdrInput { get; init; }
    public int? MaxFrames { get; init; }
    public SegmentSpec? Segment { get; init; }
    public HdrTransfer Transfer { get; init; } = HdrTransfer.Pq;
    public DeinterlaceRate Deinterlace { get; init; } = DeinterlaceRate.Frame;
    public bool KeepSampleAspectRatio { get; init; }
    public DeliveryRequest Delivery { get; init; } = new(null, null, null);
}

/// <summary>
/// One conversion from order to summary: checks the settings, probes the input once, starts the delivery outputs, resolves
/// the mapping (<see cref="MappingFactory"/>), runs <see cref="ConvertJob"/> and says what was done, row by row.
/// </summary>
public sealed class ConvertSession : IDisposable
{
    private readonly ConvertOrder order;
    private readonly DeliveryOutputs? delivery;

    private ConvertSession(ConvertOrder order, MediaInfo info, DeliveryOutputs? delivery, Mapping mapping, ConvertRequest request)
    {
        (this.order, Info, this.delivery, Mapping, Request) = (order, info, delivery, mapping, request);
    }

    public MediaInfo Info { get; }
    public Mapping Mapping { get; }
    public ConvertRequest Request { get; }

    /// <summary>The input line of the summary: name, size, rate, codec.</summary>
    public string InputLine => $"{Path.GetFileName(order.Input)}: {Info.Width}×{Info.Height}, {Info.FrameRate.Value.ToString("0.###", CultureInfo.InvariantCulture)} fps, {Info.Codec}";

    /// <summary>INPUT-hdr10.mkv beside the input, or INPUT-partKKKofNNN.mkv for a segment.</summary>
    public static string DefaultOutput(string input, SegmentSpec? segment) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(input))!, Path.GetFileNameWithoutExtension(input) +
            (segment is { } p ? $"-part{p.Index:D3}of{p.Count:D3}.mkv" : "-hdr10.mkv"));

    public static ConvertSession Open(ConvertOrder order, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        EncodeSettings.Check(order.Crf, order.Mapping.Peak, order.Transfer);
        if (order.Segment is not null && order.Transfer != HdrTransfer.Pq)
            throw new ArgumentException("--transfer with --segment: parts are always PQ; pass --transfer to 'hdrup concat', which writes the file");
        string? output = order.Output ?? (order.FramesOut is null ? DefaultOutput(order.Input, order.Segment) : null);
        var info = MediaProbe.Probe(order.Input, cancellationToken: cancellationToken);
        var delivery = DeliveryOutputs.Start(order.Delivery, order.Force, order.Segment is not null, order.Input,
            info.FrameCountIsExact ? Math.Min(info.FrameCount, order.MaxFrames ?? long.MaxValue) : null);
        var mapping = MappingFactory.Create(order.Mapping, info, cancellationToken, log);
        var request = new ConvertRequest
        {
            Input = order.Input,
            Output = output,
            FramesOut = order.FramesOut,
            Mapper = mapping.Mapper,
            Signature = mapping.Signature,
            Probe = info,
            Force = order.Force,
            AllowHdrInput = order.AllowHdrInput,
            Crf = order.Crf,
            Preset = order.Preset,
            MaxFrames = order.MaxFrames,
            Segment = order.Segment,
            Deinterlace = order.Deinterlace,
            KeepSampleAspectRatio = order.KeepSampleAspectRatio,
            MasteringDisplay = MasteringDisplay.P3D65_1000 with { MaxLuminance = order.Mapping.Peak },
            Transfer = order.Transfer,
            Observer = delivery?.Observer,
        };
        return new ConvertSession(order, info, delivery, mapping, request);
    }

    /// <summary>Runs the job and writes the delivery outputs of its result.</summary>
    public ConvertResult Run(IProgress<ConvertProgress>? progress, Action<string>? warning, CancellationToken cancellationToken)
    {
        var result = ConvertJob.Run(Request, progress, warning, cancellationToken);
        delivery?.Finish(result, new DeliveryContext(order.Input, Mapping.Choice, Mapping.Mapper.Name, Mapping.Qp, order.Transfer, order.Mapping.Peak));
        return result;
    }

    /// <summary>The summary: what was made, how the input was read, the time, the light, the mapping, the memory and the files.</summary>
    public IEnumerable<(string Label, string Value)> Summary(ConvertResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        yield return ("frames", $"{r.Frames} at {r.Width}×{r.Height}, {r.FrameRate.Value.ToString("0.###", inv)} fps"
            + (r.ResumedFrames > 0 ? $" ({r.ResumedFrames} from the previous run)" : ""));
        // How the input was read, one row per step taken: what a player does with it, done to the pixels.
        foreach (var adjustment in r.Adjustments)
            yield return (adjustment.Topic, adjustment.Description + OptionHint(adjustment.Topic));
        yield return ("time", $"{r.Elapsed:hh\\:mm\\:ss} ({(r.Frames / Math.Max(1e-9, r.Elapsed.TotalSeconds)).ToString("0.00", inv)} frames/s)");
        foreach (var row in EncodeSettings.TransferRows(order.Transfer, r.LightLevel))
            yield return row;
        yield return ("mapping", Mapping.Choice);
        if (Mapping.Tiles is { } tiles)
            yield return ("memory", $"peak {MemoryBudget.Format(ProcessMemory.PeakResidentBytes())} (predicted {MemoryBudget.Format(tiles.PredictedBytes)})");
        if (r.Output is not null) yield return (order.Segment is not null ? $"part {order.Segment}" : EncodeSettings.FileLabel(order.Transfer), r.Output);
        if (r.FramesOut is not null) yield return ("PQ PNG frames", r.FramesOut);
        foreach (var row in delivery?.SummaryRows() ?? [])
            yield return row;
    }

    /// <summary>The option that would have made the other choice, for the rows where there is one.</summary>
    private string OptionHint(string topic) => topic switch
    {
        "interlacing" => order.Deinterlace == DeinterlaceRate.Frame ? " (--deinterlace field: one per field)" : " (--deinterlace frame: one per frame)",
        "pixel shape" => order.KeepSampleAspectRatio ? "" : " (--keep-sar keeps them)",
        _ => "",
    };

    public void Dispose() => Mapping.Dispose();
}

/// <summary>The encode settings <c>convert</c> and <c>concat</c> share, checked and described alike, so a joined file is tagged as one run's.</summary>
public static class EncodeSettings
{
    public static void Check(int crf, double peak, HdrTransfer transfer)
    {
        var inv = CultureInfo.InvariantCulture;
        if (crf is < 0 or > 51)
            throw new ArgumentException($"--crf {crf}: must be between 0 and 51");
        if (!(peak is >= 100 and <= 10000))
            throw new ArgumentException($"--peak {peak.ToString(inv)}: must be between 100 and 10000 cd/m²");
        // HLG's nominal display is 1 000 cd/m²: light above it would be clipped, not rolled off.
        if (transfer == HdrTransfer.Hlg && peak > 1000)
            throw new ArgumentException($"--transfer hlg with --peak {peak.ToString(inv)}: HLG is converted for a 1000 cd/m² display; use --peak 1000 or less");
    }

    /// <summary>The summary rows of the written file's light level and transfer.</summary>
    public static IEnumerable<(string Label, string Value)> TransferRows(HdrTransfer transfer, ContentLightLevel lightLevel) =>
    [
        ("light level", lightLevel + (transfer == HdrTransfer.Hlg ? " (of the PQ result; HLG carries no light level metadata)" : "")),
        ("transfer", transfer == HdrTransfer.Hlg ? "HLG (arib-std-b67), BT.2020, for a 1000 cd/m² display" : "PQ (smpte2084), BT.2020, HDR10 metadata"),
    ];

    public static string FileLabel(HdrTransfer transfer) => transfer == HdrTransfer.Hlg ? "HLG file" : "HDR10 file";
}
