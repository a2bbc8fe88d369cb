using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using HdrUp.Media;
namespace HdrUp.Conversion;

/// <summary>Which of how many segments a job converts: <c>--segment K/N</c>, 1-based.</summary>
public readonly record struct SegmentSpec(int Index, int Count)
{
    /// <summary>Parses "K/N" (1 ≤ K ≤ N); one-line <see cref="FormatException"/> otherwise.</summary>
    public static SegmentSpec Parse(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n >= 1 && k >= 1 && k <= n)
            return new SegmentSpec(k, n);
        throw new FormatException($"--segment {text}: expected K/N with 1 ≤ K ≤ N, e.g. 2/8");
    }

    public override string ToString() => $"{Index}/{Count}";
}

/// <summary>
/// The split of a video into N keyframe-aligned segments, computed from the container's packet
/// list alone (<c>ffprobe -show_entries packet=pts,flags</c>, no decoding), so every machine that
/// reads the same file computes the same split.
/// <para>Frames are numbered in presentation order (packets sorted by pts; packets the demuxer marks
/// discard are not frames), which is the order a whole-file decode delivers them. Segment j+1 starts
/// at the keyframe nearest to j·F/N; segments therefore differ in length by up to a GOP.</para>
/// <para><see cref="SourceId"/> fingerprints the file (size, first and last MiB, the packet
/// timestamps and flags): parts of one video carry it, and <c>concat</c> refuses to mix others.</para>
/// </summary>
public sealed class SegmentPlan
{
    private const int FingerprintBytes = 1 << 20;

    private readonly double[] _times;
    private readonly int[] _keyframes;
    private readonly int[] _starts;

    private SegmentPlan(string sourceId, double[] times, int[] keyframes, int[] starts, double tolerance)
    {
        SourceId = sourceId;
        _times = times;
        _keyframes = keyframes;
        _starts = starts;
        Tolerance = tolerance;
    }

    public string SourceId { get; }

    /// <summary>Frames a whole-file decode delivers.</summary>
    public int FrameCount => _times.Length;

    /// <summary>N.</summary>
    public int Count => _starts.Length - 1;

    /// <summary>Number of keyframes (random access points) in the video.</summary>
    public int KeyframeCount => _keyframes.Length;

    /// <summary>Half of the smallest gap between frames, a little less: how far a decoded timestamp may be from the planned one.</summary>
    internal double Tolerance { get; }

    /// <summary>Frame <paramref name="index"/>'s time on ffmpeg's whole-file timeline (pts − container start), seconds.</summary>
    internal double Time(int index) => _times[index];

    /// <summary>Frame range [Start, End) of segment <paramref name="index"/> (1-based).</summary>
    public (int Start, int End) Segment(int index)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(index, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, Count);
        return (_starts[index - 1], _starts[index]);
    }

    /// <summary>
    /// The keyframe a segment's decoder starts from: the one before the segment's first frame, so
    /// that decoding has run through a whole GOP before the first frame kept (frames of an open GOP,
    /// or of a stream whose "keyframes" are not clean random access points, then decode as they do in
    /// a whole-file run). Segment 1 starts at frame 0 without seeking.
    /// </summary>
    internal int WarmUpKeyframe(int start)
    {
        int at = Array.BinarySearch(_keyframes, start);
        int position = at >= 0 ? at : ~at;
        return position > 0 ? _keyframes[position - 1] : start;
    }

    /// <summary>
    /// The frame whose time is <paramref name="seconds"/> on the whole-file timeline (within
    /// <see cref="Tolerance"/>), or −1.
    /// </summary>
    internal int Locate(double seconds)
    {
        int at = Array.BinarySearch(_times, seconds);
        if (at >= 0) return at;
        int after = ~at;
        int best = -1;
        double distance = double.PositiveInfinity;
        foreach (int candidate in new[] { after - 1, after })
        {
            if (candidate < 0 || candidate >= _times.Length) continue;
            double d = Math.Abs(_times[candidate] - seconds);
            if (d < distance) (best, distance) = (candidate, d);
        }
        return distance <= Tolerance ? best : -1;
    }

    /// <summary>
    /// Probes <paramref name="input"/>'s packets and splits it into <paramref name="count"/> segments.
    /// Refuses (one line) what cannot be split so that the parts add up to a whole-file run: stills,
    /// image sequences, variable-rate video (resampled to a constant rate from the first frame on),
    /// packets without timestamps, and fewer keyframes than segments.
    /// </summary>
    public static SegmentPlan Create(string input, MediaInfo info, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        string name = MediaProbe.DisplayName(input);
        if (info.IsImage || MediaProbe.IsSequencePattern(input))
            throw new NotSupportedException($"{name}: a still image or image sequence cannot be split into segments; convert it on one machine");
        if (info.IsVariableFrameRate)
            throw new NotSupportedException($"{name}: variable frame rate (resampled to {info.FrameRate} fps from the first frame on) cannot be split into segments; convert it on one machine, or re-encode it at a constant rate first");

        string json;
        try
        {
            json = Ffmpeg.RunToString(Ffmpeg.FfprobePath,
                ["-hide_banner", "-loglevel", "level+error", "-select_streams", "V:0",
                 "-show_entries", "packet=pts,flags:stream=time_base:format=start_time", "-print_format", "json", "-i", input],
                cancellationToken);
        }
        catch (FfmpegException e)
        {
            throw MediaProbe.Unreadable(input, "ffprobe", e.LastErrorLine);
        }

        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        Rational timeBase = root.TryGetProperty("streams", out var streams) && streams.GetArrayLength() > 0
            && streams[0].TryGetProperty("time_base", out var tb) ? Rational.Parse(tb.GetString()) : Rational.Unknown;
        double start = root.TryGetProperty("format", out var format) && format.TryGetProperty("start_time", out var st)
            && double.TryParse(st.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s : 0;
        if (!timeBase.IsKnown)
            throw new InvalidDataException($"{name}: video stream has no time base; cannot split it into segments");

        var frames = new List<(long Pts, bool Key)>();
        var fingerprint = new StringBuilder($"hdrup-source-v1\n{timeBase}\n");
        if (root.TryGetProperty("packets", out var packets))
        {
            foreach (JsonElement packet in packets.EnumerateArray())
            {
                string flags = packet.TryGetProperty("flags", out var f) ? f.GetString() ?? "" : "";
                if (flags.Contains('D')) continue;
                if (!packet.TryGetProperty("pts", out var p) || p.ValueKind != JsonValueKind.Number)
                    throw new NotSupportedException($"{name}: packets without timestamps cannot be split into segments; remux it (ffmpeg -i IN -c copy OUT.mkv) or convert it on one machine");
                long pts = p.GetInt64();
                bool key = flags.StartsWith('K');
                frames.Add((pts, key));
                fingerprint.Append(pts.ToString(CultureInfo.InvariantCulture)).Append(key ? "K\n" : "\n");
            }
        }
        if (frames.Count == 0)
            throw new InvalidDataException($"{name}: no video packets");
        frames.Sort((a, b) => a.Pts.CompareTo(b.Pts));
        for (int i = 1; i < frames.Count; i++)
        {
            if (frames[i].Pts == frames[i - 1].Pts)
                throw new NotSupportedException($"{name}: two frames share the timestamp {frames[i].Pts}; remux it or convert it on one machine");
        }

        double unit = (double)timeBase.Numerator / timeBase.Denominator;
        double[] times = frames.Select(f => f.Pts * unit - start).ToArray();
        int[] keyframes = Enumerable.Range(0, frames.Count).Where(i => frames[i].Key).ToArray();
        double gap = double.PositiveInfinity;
        for (int i = 1; i < times.Length; i++) gap = Math.Min(gap, times[i] - times[i - 1]);
        double tolerance = double.IsFinite(gap) ? 0.45 * gap : 1.0;

        int[] starts = Split(frames.Count, keyframes, count, name);
        return new SegmentPlan(Fingerprint(input, fingerprint.ToString()), times, keyframes, starts, tolerance);
    }

    /// <summary>Segment starts (N + 1 entries, the last = frame count): frame 0, then keyframes nearest to j·F/N.</summary>
    private static int[] Split(int frames, int[] keyframes, int count, string name)
    {
        int[] candidates = keyframes.Where(k => k > 0).ToArray();
        if (candidates.Length < count - 1)
            throw new InvalidDataException($"{name}: {candidates.Length + 1} keyframes give at most {candidates.Length + 1} segments, not {count}; use fewer segments");
        var starts = new int[count + 1];
        int from = 0; // first candidate still free
        for (int j = 1; j < count; j++)
        {
            long target = (long)j * frames / count;
            // Leave one candidate for each segment still to start.
            int last = candidates.Length - (count - 1 - j) - 1;
            int best = from;
            for (int c = from + 1; c <= last; c++)
            {
                if (Math.Abs(candidates[c] - target) < Math.Abs(candidates[best] - target)) best = c;
                else if (candidates[c] > target) break;
            }
            starts[j] = candidates[best];
            from = best + 1;
        }
        starts[count] = frames;
        return starts;
    }

    private static string Fingerprint(string input, string packets)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var stream = File.OpenRead(input))
        {
            long length = stream.Length;
            hash.AppendData(Encoding.UTF8.GetBytes(length.ToString(CultureInfo.InvariantCulture) + "\n"));
            var buffer = new byte[FingerprintBytes];
            int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            hash.AppendData(buffer, 0, read);
            if (length > FingerprintBytes)
            {
                stream.Seek(Math.Max(FingerprintBytes, length - FingerprintBytes), SeekOrigin.Begin);
                read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
                hash.AppendData(buffer, 0, read);
            }
        }
        hash.AppendData(Encoding.UTF8.GetBytes(packets));
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }
}

/// <summary>
/// Decodes one segment: seeks to the warm-up keyframe (<see cref="SegmentPlan.WarmUpKeyframe"/>),
/// identifies every decoded frame by its timestamp, drops those before the segment, and checks that
/// the segment's frames come exactly once and in order, so that no frame is lost or duplicated at a
/// boundary. The last segment must also end where the plan says the file ends.
/// </summary>
internal sealed class SegmentReader : IDisposable
{
    private readonly SegmentPlan _plan;
    private readonly string _name;
    private readonly double _seek;
    private readonly int _start;
    private readonly int _end;
    private readonly bool _last;
    private int _next;
    private bool _done;

    private SegmentReader(SdrVideoReader reader, SegmentPlan plan, string name, double seek, int start, int end, bool last)
    {
        Reader = reader;
        _plan = plan;
        _name = name;
        _seek = seek;
        _start = _next = start;
        _end = end;
        _last = last;
    }

    public SdrVideoReader Reader { get; }

    public static SegmentReader Open(string input, SegmentPlan plan, int segment, SdrReaderOptions options, CancellationToken cancellationToken)
    {
        (int start, int end) = plan.Segment(segment);
        int warm = plan.WarmUpKeyframe(start);
        double? seek = start == 0 ? null : plan.Time(warm);
        var reader = SdrVideoReader.OpenAt(input, seek, options, cancellationToken);
        return new SegmentReader(reader, plan, $"{MediaProbe.DisplayName(input)}: segment {segment}/{plan.Count}", seek ?? 0, start, end, segment == plan.Count);
    }

    /// <summary>The next frame of the segment as planar 8-bit R, G, B; false after its last frame.</summary>
    public bool Read(byte[] planarRgb, CancellationToken cancellationToken)
    {
        if (_done) return false;
        if (_next == _end)
        {
            _done = true;
            // The plan counted the packets; a decoder that delivers more frames than that would make
            // the whole-file run longer than the parts.
            if (_last && Reader.ReadFrame(planarRgb, out double extra, cancellationToken))
                throw new InvalidDataException($"{_name}: the decoder delivered a frame (at {extra + _seek:0.###} s) after the {_plan.FrameCount} the container lists; convert this file on one machine");
            return false;
        }
        while (Reader.ReadFrame(planarRgb, out double pts, cancellationToken))
        {
            int index = _plan.Locate(pts + _seek);
            if (index < 0)
                throw new InvalidDataException($"{_name}: decoded a frame at {pts + _seek:0.######} s that the container does not list; convert this file on one machine");
            if (_next == _start && index < _start)
                continue; // a warm-up frame before the segment
            if (index != _next)
                throw new InvalidDataException($"{_name}: expected frame {_next}, the decoder delivered frame {index} (a frame lost or repeated at a segment boundary)");
            _next++;
            return true;
        }
        throw new InvalidDataException($"{_name}: the video ended after frame {_next - 1}, but the container lists frames up to {_end - 1}");
    }

    public void Dispose() => Reader.Dispose();
}
