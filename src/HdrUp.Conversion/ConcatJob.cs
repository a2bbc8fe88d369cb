using System.Diagnostics;
using HdrUp.Media;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Conversion;

/// <summary>What to join and how to encode it: the encode settings of <see cref="ConvertRequest"/>.</summary>
public sealed record ConcatRequest
{
    /// <summary>The parts, in any order: segments 1..N of one job, each exactly once.</summary>
    public required IReadOnlyList<string> Parts { get; init; }

    /// <summary>The HDR10 file (.mkv or .mp4).</summary>
    public required string Output { get; init; }

    /// <summary>The SDR source (audio, subtitles, chapters). Null: the path recorded in the parts.</summary>
    public string? Source { get; init; }

    public bool Force { get; init; }
    public int Crf { get; init; } = 18;
    public string Preset { get; init; } = "medium";
    public MasteringDisplay MasteringDisplay { get; init; } = MasteringDisplay.P3D65_1000;
    public HdrTransfer Transfer { get; init; } = HdrTransfer.Pq;
}

/// <summary>
/// Parts → HDR10 file. Checks that the parts are segments 1..N of one job (same source, same
/// mapping signature, each segment once, frame ranges that tile the source), merges their
/// light-level states into the programme's MaxCLL/MaxFALL, and streams their frames, in order,
/// through <see cref="ConvertJob.EncodeHdr10"/> with the settings a whole-file convert uses.
/// Everything is checked before the encoder starts, so a refused set leaves no file behind.
/// </summary>
public static class ConcatJob
{
    public static ConvertResult Run(ConcatRequest request, IProgress<ConvertProgress>? progress = null,
        Action<string>? warning = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var warn = warning ?? (_ => { });
        if (request.Parts.Count == 0)
            throw new ArgumentException("no parts given");
        string output = Path.GetFullPath(request.Output);
        AtomicFile.RefuseOverwrite(output, request.Force);

        var parts = request.Parts.Select(p => (Path: p, Info: PartFile.Read(p, cancellationToken))).ToList();
        var ordered = Check(parts);
        PartInfo first = ordered[0].Info;

        string source = request.Source ?? first.Source;
        string sourceName = MediaProbe.DisplayName(source);
        if (request.Source is null && !File.Exists(source))
            throw new FileNotFoundException($"{sourceName}: the parts' source is not at {source}; pass --source with its path here", source);
        var info = MediaProbe.Probe(source, cancellationToken: cancellationToken);
        string sourceId = SegmentPlan.Create(source, info, 1, cancellationToken).SourceId;
        if (sourceId != first.SourceId)
            throw new InvalidDataException($"{sourceName}: not the video these parts were made from (source id {sourceId}, parts {first.SourceId})");

        var light = new ContentLightLevelAccumulator();
        foreach (var (_, part) in ordered)
            light.Merge(new ContentLightLevelAccumulator(part.MaxCll, part.MaxFall, part.LightFrames));

        var rate = Rational.Parse(first.FrameRate);
        var target = new ConvertJob.Hdr10Target(output, first.Width, first.Height, rate, light.Result, source, null,
            request.Crf, request.Preset, request.MasteringDisplay, request.Transfer, request.Force, Rational.Parse(first.SampleAspectRatio), info);
        if (ConvertJob.EvenSize(first.Width, first.Height) != (first.Width, first.Height))
            warn($"{MediaProbe.DisplayName(output)}: {ConvertJob.OddSizeNote(first.Width, first.Height)}");
        var frames = ordered.SelectMany(p => PartFile.ReadFrames(p.Path, p.Info, cancellationToken));
        ConvertJob.EncodeHdr10(target, first.TotalFrames, frames, warn, progress, cancellationToken);
        return new ConvertResult(output, null, first.TotalFrames, 0, first.Width, first.Height, rate, light.Result, clock.Elapsed)
        { SampleAspectRatio = Rational.Parse(first.SampleAspectRatio) };
    }

    /// <summary>The parts in segment order, or a one-line <see cref="InvalidDataException"/> saying what does not fit.</summary>
    private static List<(string Path, PartInfo Info)> Check(List<(string Path, PartInfo Info)> parts)
    {
        static string Name(string path) => MediaProbe.DisplayName(path);
        var (firstPath, first) = parts[0];
        foreach (var (path, part) in parts.Skip(1))
        {
            if (part.SourceId != first.SourceId)
                throw new InvalidDataException($"{Name(path)}: made from a different source ({Name(part.Source)}, id {part.SourceId}) than {Name(firstPath)} ({Name(first.Source)}, id {first.SourceId})");
            if (part.Signature != first.Signature)
                throw new InvalidDataException($"{Name(path)}: made with a different mapping or settings (signature {part.Signature}) than {Name(firstPath)} ({first.Signature})");
            if (part.Segments != first.Segments)
                throw new InvalidDataException($"{Name(path)}: one of {part.Segments} segments, but {Name(firstPath)} is one of {first.Segments}");
            if (part.Width != first.Width || part.Height != first.Height || part.FrameRate != first.FrameRate || part.TotalFrames != first.TotalFrames
                || part.SampleAspectRatio != first.SampleAspectRatio)
                throw new InvalidDataException($"{Name(path)}: {part.Width}×{part.Height} (pixels {part.SampleAspectRatio}) at {part.FrameRate} of {part.TotalFrames} frames, but {Name(firstPath)} is {first.Width}×{first.Height} (pixels {first.SampleAspectRatio}) at {first.FrameRate} of {first.TotalFrames}");
        }
        foreach (var group in parts.GroupBy(p => p.Info.Segment))
        {
            var same = group.ToList();
            if (same.Count > 1)
                throw new InvalidDataException($"{string.Join(" and ", same.Select(p => Name(p.Path)))} are {(same.Count == 2 ? "both" : "all")} segment {group.Key}/{first.Segments}; give each segment once");
        }
        var missing = Enumerable.Range(1, first.Segments).Except(parts.Select(p => p.Info.Segment)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException(missing.Count == 1
                ? $"segment {missing[0]}/{first.Segments} is missing"
                : $"segments {string.Join(", ", missing)} of {first.Segments} are missing");

        var ordered = parts.OrderBy(p => p.Info.Segment).ToList();
        int expected = 0;
        foreach (var (path, part) in ordered)
        {
            if (part.FirstFrame != expected || part.EndFrame <= part.FirstFrame || part.LightFrames != part.Frames)
                throw new InvalidDataException($"{Name(path)}: segment {part.Segment}/{part.Segments} holds frames {part.FirstFrame}–{part.EndFrame - 1}, expected to start at frame {expected}");
            expected = part.EndFrame;
        }
        if (expected != first.TotalFrames)
            throw new InvalidDataException($"{Name(ordered[^1].Path)}: the parts end at frame {expected - 1}, the source has {first.TotalFrames} frames");
        return ordered;
    }
}
