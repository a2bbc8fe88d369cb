using System.Globalization;
using System.Text.RegularExpressions;

using HdrUp.Media;
namespace HdrUp.Conversion.QpEstimation;

/// <summary>Picture coding type as the slice headers say: I (every slice intra), P, or B (any B slice).</summary>
public enum PictureType { I, P, B }

/// <summary>One coded picture read from the bitstream: its packet size, key flag and, for H.264/HEVC, the mean slice QP.</summary>
/// <param name="BlockQp">The picture's PPS lets blocks change the QP (H.264 always; HEVC when <c>cu_qp_delta_enabled_flag</c> = 1), so adaptive quantisation may move block QPs away from the slice QP.</param>
public sealed record CodedPicture(string Pts, int Bytes, bool IsKey, PictureType? Type, double? Qp, bool BlockQp = false);

/// <summary>What a few windows spread over a clip showed: coded pictures and decoded keyframe luma statistics.</summary>
public sealed record StreamSample(IReadOnlyList<CodedPicture> Pictures, IReadOnlyList<LumaStatistics> Keyframes, int Windows);

/// <summary>
/// Reads a clip at up to <see cref="MaxWindows"/> evenly spread positions, one ffmpeg per window:
/// <c>-noaccurate_seek -ss t</c> lands on a keyframe; one output copies the next packets through the
/// <c>trace_headers</c> bitstream filter (packet sizes, key flags and, for H.264/HEVC, the PPS
/// <c>init_qp</c> and every slice's <c>slice_type</c>/<c>slice_qp_delta</c>: the stream's own
/// quantiser, with no decoding); the other decodes only that keyframe (<c>-skip_frame nokey</c>) to
/// 8-bit luma. ffmpeg 5.1's HEVC decoder exports no QP (<c>-export_side_data venc_params</c> is
/// H.264/VP9/MPEG-2 only, and ffprobe prints no side-data contents), so the bitstream headers are
/// the one source that serves both codecs.
/// </summary>
public static partial class StreamSampler
{
    /// <summary>At most this many windows (so at most this many decoded keyframes).</summary>
    public const int MaxWindows = 8;

    /// <summary>Packets traced per window: a keyframe and the P/B pictures after it.</summary>
    public const int PacketsPerWindow = 12;

    /// <summary>Codecs whose headers ffmpeg's coded-bitstream layer reads (the others are only copied).</summary>
    private static readonly HashSet<string> Traceable = ["h264", "hevc", "mpeg2video", "av1", "vp9"];

    public static StreamSample Sample(MediaInfo info, CancellationToken cancellationToken = default)
    {
        long frames = info.FrameCount;
        bool shortClip = info.IsImage || frames <= MaxWindows * PacketsPerWindow || !double.IsFinite(info.Duration);
        int windows = shortClip ? 1 : MaxWindows;
        var pictures = new Dictionary<string, CodedPicture>();
        var order = new List<string>();
        var keyframes = new List<LumaStatistics>();
        for (int w = 0; w < windows; w++)
        {
            double? start = shortClip ? null : info.Duration * (w + 0.5) / windows;
            // A short clip is read whole (up to 96 packets) with its first three keyframes decoded.
            int packets = shortClip ? MaxWindows * PacketsPerWindow : PacketsPerWindow;
            int decode = shortClip ? 3 : 1;
            var (pics, lumas) = ReadWindow(info, start, packets, decode, cancellationToken);
            foreach (var p in pics)
                if (pictures.TryAdd(p.Pts, p)) order.Add(p.Pts);
            keyframes.AddRange(lumas);
        }
        if (!Traceable.Contains(info.Codec))
        {
            // No trace, so no packet lines: ffprobe lists the same windows' packets instead.
            string intervals = shortClip ? $"%+#{MaxWindows * PacketsPerWindow}" : string.Join(',',
                Enumerable.Range(0, windows).Select(w => FormattableString.Invariant($"{info.Duration * (w + 0.5) / windows:0.###}%+#{PacketsPerWindow}")));
            string csv = Ffmpeg.RunToString(Ffmpeg.FfprobePath,
                ["-v", "error", "-select_streams", "V:0", "-read_intervals", intervals,
                 "-show_entries", "packet=pts,size,flags", "-of", "csv=p=0", info.Path], cancellationToken);
            foreach (string line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                string[] f = line.Split(',');
                if (f.Length < 3 || !int.TryParse(f[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int size)) continue;
                var p = new CodedPicture(f[0], size, f[2].StartsWith('K'), null, null);
                if (pictures.TryAdd(p.Pts, p)) order.Add(p.Pts);
            }
        }
        return new StreamSample(order.Select(k => pictures[k]).ToList(), keyframes, windows);
    }

    private static (List<CodedPicture>, List<LumaStatistics>) ReadWindow(MediaInfo info, double? start, int packets, int decode, CancellationToken ct)
    {
        var arguments = new List<string> { "-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+info", "-noautorotate" };
        if (start is double t)
            arguments.AddRange(["-noaccurate_seek", "-ss", t.ToString("0.###", CultureInfo.InvariantCulture)]);
        arguments.AddRange(["-skip_frame", "nokey", "-i", info.Path]);
        // Output 1: packets, through trace_headers where the codec allows it (a null muxer writes nothing).
        arguments.AddRange(["-map", "0:V:0", "-c:v", "copy"]);
        if (Traceable.Contains(info.Codec)) arguments.AddRange(["-bsf:v", "trace_headers"]);
        arguments.AddRange(["-frames:v", packets.ToString(CultureInfo.InvariantCulture), "-f", "null", "-"]);
        // Output 2: the keyframe(s) as 8-bit luma at the coded size.
        arguments.AddRange(["-map", "0:V:0", "-frames:v", decode.ToString(CultureInfo.InvariantCulture),
            "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"]);

        var lines = new List<string>();
        using var process = ExternalProcess.Start(Ffmpeg.FfmpegPath, arguments, redirectInput: false,
            line => { lock (lines) lines.Add(line); });
        var output = new MemoryStream();
        using (ct.Register(process.Kill))
            process.Output.CopyTo(output);
        process.WaitForExit(ct);
        if (process.ExitCode != 0)
            throw MediaProbe.Unreadable(info.Path, "ffmpeg", process.LastErrorLine);

        List<string> copy;
        lock (lines) copy = [.. lines];
        var pictures = ParseTrace(copy, info.Codec);

        var lumas = new List<LumaStatistics>();
        int plane = info.Width * info.Height;
        byte[] bytes = output.GetBuffer();
        for (int offset = 0; plane > 0 && offset + plane <= output.Length; offset += plane)
            lumas.Add(LumaStatistics.Measure(bytes.AsSpan(offset, plane), info.Width, info.Height));
        return (pictures, lumas);
    }

    /// <summary>
    /// Turns trace_headers' log into pictures. Each "Packet: N bytes[, key frame], pts P" line opens a
    /// picture; the PPS sections give <c>init_qp = 26 + (pic_)init_qp_minus26</c> per PPS id; each slice
    /// header's QP is <c>init_qp + slice_qp_delta</c> (H.264 7.4.3, HEVC 7.4.7.1). Without a trace
    /// (other codecs) only the packet lines are there.
    /// </summary>
    public static List<CodedPicture> ParseTrace(IEnumerable<string> lines, string codec)
    {
        var result = new List<CodedPicture>();
        var initQp = new Dictionary<int, int>();
        var blockQp = new Dictionary<int, bool>();
        bool hevc = codec == "hevc";
        string section = "";
        int ppsId = 0, slicePps = 0, sliceType = -1;
        string? pts = null; int bytes = 0; bool key = false;
        var sliceQps = new List<int>();
        var sliceTypes = new List<PictureType>();

        void Close()
        {
            if (pts is null) return;
            PictureType? type = sliceTypes.Count == 0 ? null
                : sliceTypes.Contains(PictureType.B) ? PictureType.B
                : sliceTypes.Contains(PictureType.P) ? PictureType.P : PictureType.I;
            result.Add(new CodedPicture(pts, bytes, key, type, sliceQps.Count == 0 ? null : sliceQps.Average(),
                sliceQps.Count > 0 && (!hevc || blockQp.GetValueOrDefault(slicePps))));
            pts = null; sliceQps.Clear(); sliceTypes.Clear();
        }

        foreach (string raw in lines)
        {
            Match m = TraceLine().Match(raw);
            if (!m.Success) continue;
            string text = m.Groups[1].Value;
            Match packet = PacketLine().Match(text);
            if (packet.Success)
            {
                Close();
                bytes = int.Parse(packet.Groups[1].Value, CultureInfo.InvariantCulture);
                key = packet.Groups[2].Success;
                pts = packet.Groups[3].Value;
                continue;
            }
            Match field = FieldLine().Match(text);
            if (!field.Success)
            {
                section = text.Trim();
                continue;
            }
            string name = field.Groups[1].Value;
            int value = int.Parse(field.Groups[2].Value, CultureInfo.InvariantCulture);
            if (section == "Picture Parameter Set")
            {
                if (name is "pic_parameter_set_id" or "pps_pic_parameter_set_id") ppsId = value;
                else if (name is "pic_init_qp_minus26" or "init_qp_minus26") initQp[ppsId] = 26 + value;
                else if (name == "cu_qp_delta_enabled_flag") blockQp[ppsId] = value == 1;
            }
            else if (section is "Slice Header" or "Slice Segment Header")
            {
                if (name == "slice_type") sliceType = value;
                else if (name is "pic_parameter_set_id" or "slice_pic_parameter_set_id") slicePps = value;
                else if (name == "slice_qp_delta" && initQp.TryGetValue(slicePps, out int init) && pts is not null)
                {
                    sliceQps.Add(init + value);
                    sliceTypes.Add(hevc
                        ? sliceType switch { 2 => PictureType.I, 1 => PictureType.P, _ => PictureType.B }
                        : (sliceType % 5) switch { 2 or 4 => PictureType.I, 1 => PictureType.B, _ => PictureType.P });
                }
            }
        }
        Close();
        return result;
    }

    [GeneratedRegex(@"^\[trace_headers @ [^\]]+\]\s(?:\[\w+\]\s)?(.*)$")]
    private static partial Regex TraceLine();

    [GeneratedRegex(@"^Packet: (\d+) bytes(, key frame)?, pts (\S+?),")]
    private static partial Regex PacketLine();

    [GeneratedRegex(@"^\d+\s+(\w+)(?:\[[^\]]*\])*\s+[01]+\s+=\s+(-?\d+)$")]
    private static partial Regex FieldLine();
}
