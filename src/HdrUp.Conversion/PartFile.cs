using System.Text.Json;
using HdrUp.Media;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Conversion;

/// <summary>
/// What a part says about itself (stored as JSON in the part's Matroska tag <c>HDRUP_PART</c>, so a
/// part is one self-contained file): where its frames sit in the source, what made them, and its
/// share of the light-level measurement.
/// </summary>
public sealed record PartInfo
{
    public int Version { get; init; } = 1;

    /// <summary>Full path of the source when the part was made (concat's default for the audio, subtitles and chapters).</summary>
    public required string Source { get; init; }

    /// <summary><see cref="SegmentPlan.SourceId"/> of the source.</summary>
    public required string SourceId { get; init; }

    /// <summary><see cref="ConvertRequest.Signature"/>: the mapping and what else changes the pixels.</summary>
    public required string Signature { get; init; }

    public required int Segment { get; init; }
    public required int Segments { get; init; }

    /// <summary>Frames [FirstFrame, EndFrame) of <see cref="TotalFrames"/>, numbered as a whole-file decode delivers them.</summary>
    public required int FirstFrame { get; init; }
    public required int EndFrame { get; init; }
    public required int TotalFrames { get; init; }

    public required int Width { get; init; }
    public required int Height { get; init; }

    /// <summary>Pixel shape the whole-file encode tags ("1/1" unless --keep-sar kept the source's).</summary>
    public string SampleAspectRatio { get; init; } = "1/1";

    /// <summary>The rate the whole-file encode uses ("25/1").</summary>
    public required string FrameRate { get; init; }

    /// <summary>
    /// <see cref="ContentLightLevelAccumulator"/> state over this part's frames, unrounded (JSON
    /// keeps doubles exactly), so the maximum over parts is the whole programme's.
    /// </summary>
    public required double MaxCll { get; init; }
    public required double MaxFall { get; init; }
    public required long LightFrames { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public int Frames => EndFrame - FirstFrame;

    /// <summary>True when <paramref name="other"/> is the same segment of the same job (so one may stand for the other).</summary>
    public bool SameJob(PartInfo other) =>
        SourceId == other.SourceId && Signature == other.Signature && Segment == other.Segment && Segments == other.Segments;
}

/// <summary>
/// A part of a scale-out conversion: the mapped frames of one segment, lossless, in Matroska —
/// FFV1 (level 3, intra-only) of the 16-bit PQ BT.2020 R'G'B' codes as gbrp16le, exactly the values
/// a whole-file run caches as 16-bit PNGs and hands to x265 — with a <see cref="PartInfo"/> tag.
/// Written under a temporary name and renamed when complete.
/// </summary>
public static class PartFile
{
    public const string Tag = "HDRUP_PART";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>The part's <see cref="PartInfo"/>; one-line <see cref="InvalidDataException"/> when the file is not a part.</summary>
    public static PartInfo Read(string path, CancellationToken cancellationToken = default)
    {
        MediaProbe.CheckInputFile(path);
        string name = MediaProbe.DisplayName(path);
        string json;
        try
        {
            json = Ffmpeg.RunToString(Ffmpeg.FfprobePath,
                ["-hide_banner", "-loglevel", "level+error", "-show_entries", "format_tags", "-print_format", "json", "-i", path], cancellationToken);
        }
        catch (FfmpegException e)
        {
            throw MediaProbe.Unreadable(path, "ffprobe", e.LastErrorLine);
        }
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("format", out var format) || !format.TryGetProperty("tags", out var tags))
            throw new InvalidDataException($"{name}: not an hdrup part (no {Tag} tag)");
        string? text = null;
        foreach (var tag in tags.EnumerateObject())
            if (tag.Name.Equals(Tag, StringComparison.OrdinalIgnoreCase)) text = tag.Value.GetString();
        if (text is null)
            throw new InvalidDataException($"{name}: not an hdrup part (no {Tag} tag)");
        try
        {
            return JsonSerializer.Deserialize<PartInfo>(text, Json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{name}: damaged {Tag} tag ({e.Message})");
        }
    }

    /// <summary>Writes <paramref name="frames"/> (PQ code values in [0, 1], quantised as <see cref="UnitInterval.ToCode16"/>) as a part.</summary>
    internal static void Write(string destination, PartInfo info, IEnumerable<RgbPlanarFrame> frames,
        IProgress<ConvertProgress>? progress, CancellationToken cancellationToken)
    {
        string name = MediaProbe.DisplayName(destination);
        using var output = AtomicFile.Begin(destination);
        var arguments = new List<string>
        {
            "-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+warning",
            "-f", "rawvideo", "-pix_fmt", "gbrp16le", "-video_size", $"{info.Width}x{info.Height}",
            "-framerate", info.FrameRate, "-i", "pipe:0", "-map", "0:v:0",
            // Level 3 (slices, CRCs), every frame a keyframe: lossless and cheap to check.
            "-c:v", "ffv1", "-level", "3", "-g", "1", "-slicecrc", "1",
            "-metadata", $"{Tag}={JsonSerializer.Serialize(info, Json)}",
            "-fflags", "+bitexact", "-f", "matroska", "-y", output.TemporaryPath,
        };
        var buffer = new byte[checked(6 * info.Width * info.Height)];
        // Disposed in this order on failure: ffmpeg is killed and waited for before its temporary output is deleted.
        using var process = ExternalProcess.Start(Ffmpeg.FfmpegPath, arguments, redirectInput: true);
        int written = 0;
        foreach (RgbPlanarFrame frame in frames)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Gbrp16.Pack(frame, buffer);
            try
            {
                using (cancellationToken.Register(process.Kill))
                    process.Input.Write(buffer);
            }
            catch (IOException)
            {
                process.WaitForExit(CancellationToken.None);
                throw new IOException($"{name}: writing the part failed (ffmpeg: {process.LastErrorLine})");
            }
            written++;
            progress?.Report(new ConvertProgress("part", written, info.Frames, 0));
        }
        process.Input.Close();
        process.WaitForExit(cancellationToken);
        if (process.ExitCode != 0)
            throw new IOException($"{name}: writing the part failed (ffmpeg: {process.LastErrorLine})");
        output.Commit();
    }

    /// <summary>Decodes a part's frames (code / 65535, as <see cref="Png16.Read(string)"/> gives them), checking their number.</summary>
    internal static IEnumerable<RgbPlanarFrame> ReadFrames(string path, PartInfo info, CancellationToken cancellationToken)
    {
        string name = MediaProbe.DisplayName(path);
        using var process = ExternalProcess.Start(Ffmpeg.FfmpegPath,
            ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+error", "-i", path, "-map", "0:v:0",
             "-f", "rawvideo", "-pix_fmt", "gbrp16le", "pipe:1"], redirectInput: false);
        int n = info.Width * info.Height;
        var buffer = new byte[checked(6 * n)];
        int count = 0;
        while (true)
        {
            int read;
            using (cancellationToken.Register(process.Kill))
                read = process.Output.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            cancellationToken.ThrowIfCancellationRequested();
            if (read < buffer.Length)
            {
                process.WaitForExit(cancellationToken);
                if (process.ExitCode != 0 || read > 0)
                    throw new InvalidDataException($"{name}: truncated or unreadable part (ffmpeg: {(process.LastErrorLine is { Length: > 0 } l ? l : "last frame incomplete")})");
                break;
            }
            if (++count > info.Frames) break;
            yield return Gbrp16.Unpack(buffer, info.Width, info.Height);
        }
        if (count != info.Frames)
            throw new InvalidDataException($"{name}: holds {count} frames, its tag says {info.Frames}");
    }
}
