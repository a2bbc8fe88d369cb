using System.Globalization;
using System.Text.RegularExpressions;

namespace HdrUp.Media;

/// <summary>What to make of an interlaced input (<c>convert --deinterlace</c>).</summary>
public enum DeinterlaceRate
{
    /// <summary>One picture per frame (bwdif send_frame): the input's frame rate, each picture built from its first field.</summary>
    Frame,

    /// <summary>One picture per field (bwdif send_field): twice the frame rate, every field's moment of motion kept.</summary>
    Field,
}

/// <summary>
/// How a video's pictures are scanned. <see cref="Evidence"/> says how that was found
/// ("field_order tt", "idet: 38 of 40 frames interlaced, top field first"…).
/// </summary>
public sealed record ScanType(bool Interlaced, bool TopFieldFirst, bool FromTag, string Evidence)
{
    public static ScanType Progressive(string evidence) => new(false, true, false, evidence);
}

/// <summary>
/// Decides whether a video is interlaced, so that its fields are never handed on woven into one
/// picture (combs on every moving edge, and 4:2:0 chroma upsampled across fields).
/// <para>The file's own field_order is trusted both ways, as players trust it: tt/bb/tb/bt are
/// interlaced, "progressive" is not. Running idet on tagged-progressive files would overrule the
/// tag on evidence that is weak on synthetic and fine-detailed pictures (it calls ffmpeg's own
/// testsrc2 "TFF" on every frame). Only a file that does not say (field_order absent or unknown,
/// e.g. MPEG-4 Part 2 in AVI, FFV1, MJPEG) is measured with ffmpeg's idet over its first
/// <see cref="IdetFrames"/> frames, and called interlaced only on clear evidence.</para>
/// </summary>
public static partial class ScanDetection
{
    /// <summary>Frames idet looks at: enough for its multi-frame verdict, a second or two of decoding even at 4K.</summary>
    public const int IdetFrames = 60;

    public static ScanType Detect(string path, MediaInfo info, bool sequence, CancellationToken cancellationToken = default)
    {
        if (info.IsImage || sequence)
            return ScanType.Progressive("still image");
        switch (info.FieldOrder)
        {
            case "progressive":
                return ScanType.Progressive("field_order progressive");
            // AVFieldOrder: tb is "top coded first, bottom displayed first", bt the reverse; what is
            // displayed first is what decides which field is the earlier moment.
            case "tt": return new ScanType(true, true, true, "field_order tt");
            case "bt": return new ScanType(true, true, true, "field_order bt");
            case "bb": return new ScanType(true, false, true, "field_order bb");
            case "tb": return new ScanType(true, false, true, "field_order tb");
        }
        return Idet(path, cancellationToken);
    }

    /// <summary>idet's multi-frame counts over the first frames; interlaced when they clearly say so.</summary>
    private static ScanType Idet(string path, CancellationToken cancellationToken)
    {
        string? summary = null;
        var arguments = new List<string>
        {
            "-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+info", "-noautorotate", "-i", path,
            "-map", "0:V:0", "-an", "-sn", "-dn", "-frames:v", IdetFrames.ToString(CultureInfo.InvariantCulture),
            "-vf", "idet", "-f", "null", "-",
        };
        using (var process = ExternalProcess.Start(Ffmpeg.FfmpegPath, arguments, redirectInput: false,
                   line => { if (line.Contains("Multi frame detection", StringComparison.Ordinal)) summary = line; }))
        {
            process.Output.CopyTo(Stream.Null);
            process.WaitForExit(cancellationToken);
            // A file ffmpeg cannot decode fails in the real decode, with its own message; here it is simply not known to be interlaced.
            if (process.ExitCode != 0)
                return ScanType.Progressive("field order untagged; idet could not read it");
        }
        return Verdict(summary);
    }

    /// <summary>
    /// From idet's line "Multi frame detection: TFF: 40 BFF: 0 Progressive: 0 Undetermined: 0":
    /// interlaced when interlaced frames are at least half of those examined and twice the
    /// progressive ones. Static or flat pictures come out "undetermined", which counts against.
    /// </summary>
    internal static ScanType Verdict(string? idetSummary)
    {
        Match m = idetSummary is null ? Match.Empty : IdetCounts().Match(idetSummary);
        if (!m.Success)
            return ScanType.Progressive("field order untagged; idet gave no verdict");
        int Count(int group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);
        int tff = Count(1), bff = Count(2), progressive = Count(3), undetermined = Count(4);
        int interlaced = tff + bff, examined = interlaced + progressive + undetermined;
        bool topFirst = tff >= bff;
        string counts = $"idet: {interlaced} of {examined} frames interlaced" + (interlaced > 0 ? $" ({(topFirst ? "top" : "bottom")} field first)" : "")
            + $", {progressive} progressive";
        if (examined > 0 && 2 * interlaced >= examined && interlaced >= 2 * progressive)
            return new ScanType(true, topFirst, false, $"field order untagged; {counts}");
        return ScanType.Progressive($"field order untagged; {counts}");
    }

    [GeneratedRegex(@"Multi frame detection:\s*TFF:\s*(\d+)\s*BFF:\s*(\d+)\s*Progressive:\s*(\d+)\s*Undetermined:\s*(\d+)")]
    private static partial Regex IdetCounts();
}
