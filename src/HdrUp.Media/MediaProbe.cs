using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HdrUp.Media;

/// <summary>
/// Reads a media file's facts with <c>ffprobe -print_format json -show_streams -show_format -show_chapters</c>.
/// Every failure is one line naming the file: <see cref="FileNotFoundException"/> for a missing file,
/// <see cref="InvalidDataException"/> for empty, non-media, truncated files and files without video.
/// </summary>
public static partial class MediaProbe
{
    /// <summary>
    /// Probes <paramref name="path"/>: a video, a single image, or an image sequence pattern such as
    /// <c>frames/%05d.png</c> (read with ffmpeg's image2 demuxer at <paramref name="sequenceFrameRate"/>, 25 fps when null).
    /// </summary>
    public static MediaInfo Probe(string path, Rational? sequenceFrameRate = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string name = DisplayName(path);
        bool sequence = IsSequencePattern(path);
        CheckInputFile(path);

        var arguments = new List<string> { "-hide_banner", "-loglevel", "level+error" };
        if (sequence)
            arguments.AddRange(["-f", "image2", "-framerate", (sequenceFrameRate ?? new Rational(25, 1)).ToString()]);
        arguments.AddRange(["-print_format", "json", "-show_streams", "-show_format", "-show_chapters", "-i", path]);

        string json;
        try
        {
            json = Ffmpeg.RunToString(Ffmpeg.FfprobePath, arguments, cancellationToken);
        }
        catch (FfmpegException e)
        {
            throw Unreadable(path, "ffprobe", e.LastErrorLine);
        }
        return Parse(path, json);
    }

    /// <summary>True when the path is an ffmpeg image2 pattern ("%d", "%05d") rather than one file.</summary>
    public static bool IsSequencePattern(string path) => SequencePattern().IsMatch(Path.GetFileName(path));

    /// <summary>The short name used in messages: the file name, as a user would recognise it.</summary>
    public static string DisplayName(string path) => Path.GetFileName(path) is { Length: > 0 } n ? n : path;

    /// <summary>Missing and empty files are caught before ffmpeg runs, whose messages for them are cryptic.</summary>
    public static void CheckInputFile(string path)
    {
        string name = DisplayName(path);
        if (IsSequencePattern(path))
        {
            string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
            if (!Directory.Exists(directory))
                throw new FileNotFoundException($"{name}: folder {directory} not found", path);
            return;
        }
        if (Directory.Exists(path))
            throw new FileNotFoundException($"{name}: is a folder, not a file", path);
        var file = new FileInfo(path);
        if (!file.Exists)
            throw new FileNotFoundException($"{name}: file not found", path);
        if (file.Length == 0)
            throw new InvalidDataException($"{name}: file is empty");
    }

    /// <summary>
    /// Turns an ffmpeg/ffprobe refusal into one line. A file whose first bytes are text is called
    /// that, because ffmpeg reports it like a truncated file ("moov atom not found").
    /// </summary>
    public static InvalidDataException Unreadable(string path, string tool, string lastErrorLine)
    {
        string name = DisplayName(path);
        if (!IsSequencePattern(path) && StartsWithText(path))
            return new InvalidDataException($"{name}: not a video or image file (it contains text)");
        string detail = lastErrorLine;
        // ffmpeg prefixes its own final message with the path it was given; the file is named once already.
        if (detail.StartsWith(path + ":", StringComparison.Ordinal))
            detail = detail[(path.Length + 1)..].TrimStart();
        return new InvalidDataException(detail.Length == 0
            ? $"{name}: truncated or unreadable"
            : $"{name}: truncated or unreadable ({tool}: {detail})");
    }

    private static bool StartsWithText(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var buffer = new byte[512];
            int count = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (count == 0) return false;
            ReadOnlySpan<byte> head = buffer.AsSpan(0, count);
            foreach (byte b in head)
            {
                // Control bytes other than tab/newline/CR/form feed never occur in text.
                if (b < 0x20 && b is not (0x09 or 0x0A or 0x0D or 0x0C)) return false;
                if (b == 0x7F) return false;
            }
            // Accept UTF-8 text; a cut multi-byte sequence at the end of the sample is fine.
            var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
            var chars = new char[count];
            decoder.GetChars(buffer, 0, count, chars, 0, flush: false);
            return true;
        }
        catch (Exception e) when (e is DecoderFallbackException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    internal static MediaInfo Parse(string path, string json)
    {
        string name = DisplayName(path);
        using JsonDocument document = JsonDocument.Parse(json.Length == 0 ? "{}" : json);
        JsonElement root = document.RootElement;
        JsonElement format = root.TryGetProperty("format", out var f) ? f : default;
        var streams = root.TryGetProperty("streams", out var s) && s.ValueKind == JsonValueKind.Array
            ? s.EnumerateArray().ToList() : [];

        JsonElement? video = null;
        var audioCodecs = new List<string>();
        var subtitleCodecs = new List<string>();
        foreach (JsonElement stream in streams)
        {
            string type = Text(stream, "codec_type") ?? "";
            if (type == "audio") audioCodecs.Add(Text(stream, "codec_name") ?? "unknown");
            else if (type == "subtitle") subtitleCodecs.Add(Text(stream, "codec_name") ?? "unknown");
            // Cover art in music files is a "video" stream of one picture: not the programme.
            else if (type == "video" && video is null && !IsAttachedPicture(stream)) video = stream;
        }
        if (video is not JsonElement v)
            throw new InvalidDataException($"{name}: no video stream");

        int width = Int(v, "width") ?? 0, height = Int(v, "height") ?? 0;
        if (width <= 0 || height <= 0)
            throw new InvalidDataException($"{name}: truncated or unreadable (ffprobe: video stream has no picture size)");

        string formatName = Text(format, "format_name") ?? "";
        bool isImage = formatName == "image2" || formatName.EndsWith("_pipe", StringComparison.Ordinal);

        Rational sar = Rational.Parse(Text(v, "sample_aspect_ratio"));
        if (!sar.IsKnown) sar = new Rational(1, 1);

        Rational average = Rational.Parse(Text(v, "avg_frame_rate"));
        Rational real = Rational.Parse(Text(v, "r_frame_rate"));
        Rational rate = average.IsKnown ? average : real;
        bool variable = average.IsKnown && real.IsKnown && Math.Abs(average.Value / real.Value - 1) > 0.01;

        // The video stream's own duration first: the container's spans audio and subtitles too.
        double duration = Double(v, "duration") ?? MatroskaDuration(v) ?? Double(format, "duration") ?? double.NaN;

        long? counted = Long(v, "nb_frames") ?? TagLong(v, "NUMBER_OF_FRAMES");
        long frames;
        bool exact = counted is > 0;
        if (exact) frames = counted!.Value;
        else if (isImage && !IsSequencePattern(path)) { frames = 1; exact = true; }
        else if (rate.IsKnown && double.IsFinite(duration)) frames = (long)Math.Round(duration * rate.Value);
        else frames = 0;

        string pixelFormat = Text(v, "pix_fmt") ?? "";
        int bitDepth = Int(v, "bits_per_raw_sample") ?? BitDepthOf(pixelFormat);

        DisplayOrientation orientation = OrientationOf(v, out double? tilted);
        // ffmpeg measures decoded timestamps from the earliest stream's start, so that is the origin here.
        double start = Double(v, "start_time") is double videoStart && Double(format, "start_time") is double fileStart
            ? Math.Max(0, videoStart - fileStart) : 0;

        bool hasChapters = root.TryGetProperty("chapters", out var c) && c.ValueKind == JsonValueKind.Array && c.GetArrayLength() > 0;

        return new MediaInfo
        {
            Path = path,
            FormatName = formatName,
            Width = width,
            Height = height,
            SampleAspectRatio = sar,
            Orientation = orientation,
            TiltedMatrixDegrees = tilted,
            FieldOrder = Tag(Text(v, "field_order")),
            VideoStartTime = start,
            FrameRate = rate,
            RealFrameRate = real,
            IsVariableFrameRate = variable,
            Duration = duration,
            FrameCount = frames,
            FrameCountIsExact = exact,
            Codec = Text(v, "codec_name") ?? "",
            PixelFormat = pixelFormat,
            BitDepth = bitDepth,
            ColorRange = Tag(Text(v, "color_range")),
            ColorSpace = Tag(Text(v, "color_space")),
            ColorPrimaries = Tag(Text(v, "color_primaries")),
            ColorTransfer = Tag(Text(v, "color_transfer")),
            HasAudio = audioCodecs.Count > 0,
            HasSubtitles = subtitleCodecs.Count > 0,
            AudioCodecs = audioCodecs,
            SubtitleCodecs = subtitleCodecs,
            HasChapters = hasChapters,
            IsImage = isImage,
        };
    }

    /// <summary>"unknown" and "unspecified" mean the file does not say; keep null for that.</summary>
    private static string? Tag(string? value) => value is null or "unknown" or "unspecified" or "reserved" ? null : value;

    private static bool IsAttachedPicture(JsonElement stream) =>
        stream.TryGetProperty("disposition", out var d) && d.TryGetProperty("attached_pic", out var a)
        && a.ValueKind == JsonValueKind.Number && a.GetInt32() == 1;

    /// <summary>
    /// The display matrix (side data; ffprobe prints it as text beside its "rotation", which cannot
    /// tell a mirror image from a turn), else the legacy "rotate" tag, which means clockwise degrees.
    /// </summary>
    private static DisplayOrientation OrientationOf(JsonElement video, out double? tilted)
    {
        tilted = null;
        if (video.TryGetProperty("side_data_list", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in list.EnumerateArray())
            {
                if (DisplayOrientation.ParseFfprobeMatrix(Text(item, "displaymatrix")) is not long[] matrix) continue;
                var orientation = DisplayOrientation.FromMatrix(matrix, out double exact);
                double off = Math.Abs(exact - orientation.ClockwiseDegrees);
                if (Math.Min(off, 360 - off) > 1) tilted = exact;
                return orientation;
            }
        }
        if (video.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Object && tags.TryGetProperty("rotate", out var tag)
            && double.TryParse(tag.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double degrees))
        {
            int quarter = (int)Math.Round(degrees / 90.0);
            return new DisplayOrientation(((quarter % 4) + 4) % 4 * 90, false);
        }
        return DisplayOrientation.Upright;
    }

    private static int BitDepthOf(string pixelFormat)
    {
        var m = Regex.Match(pixelFormat, @"p(\d{1,2})(le|be)?$|(\d{2})(le|be)$");
        if (m.Success)
        {
            string digits = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[3].Value;
            if (int.TryParse(digits, out int bits) && bits is >= 9 and <= 32) return bits;
        }
        return pixelFormat is "rgb48le" or "rgb48be" or "rgba64le" or "rgba64be" ? 16 : 8;
    }

    private static double? MatroskaDuration(JsonElement stream)
    {
        string? text = TagText(stream, "DURATION");
        return text is not null && TimeSpan.TryParse(text.Length > 16 ? text[..16] : text, CultureInfo.InvariantCulture, out var span)
            ? span.TotalSeconds : null;
    }

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString()
            : null;

    private static int? Int(JsonElement element, string property) =>
        int.TryParse(Text(element, property), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;

    private static long? Long(JsonElement element, string property) =>
        long.TryParse(Text(element, property), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : null;

    private static double? Double(JsonElement element, string property) =>
        double.TryParse(Text(element, property), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : null;

    /// <summary>Matroska keeps counts in tags such as "NUMBER_OF_FRAMES-eng" (written by mkvmerge).</summary>
    private static string? TagText(JsonElement stream, string prefix)
    {
        if (!stream.TryGetProperty("tags", out var tags) || tags.ValueKind != JsonValueKind.Object) return null;
        foreach (JsonProperty p in tags.EnumerateObject())
            if (p.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return p.Value.GetString();
        return null;
    }

    private static long? TagLong(JsonElement stream, string prefix) =>
        long.TryParse(TagText(stream, prefix), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : null;

    [GeneratedRegex(@"%0?\d*d")]
    private static partial Regex SequencePattern();
}
