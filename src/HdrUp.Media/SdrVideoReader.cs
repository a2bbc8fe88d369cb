using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Media;

/// <summary>Options of <see cref="SdrVideoReader"/>.</summary>
public sealed record SdrReaderOptions
{
    /// <summary>Receives one line per assumption the reader had to make (untagged matrix, VFR resampled...).</summary>
    public Action<string>? Warning { get; init; }

    /// <summary>Rate of an image-sequence pattern ("%05d.png"), which has no timing of its own. Default 25 fps.</summary>
    public Rational SequenceFrameRate { get; init; } = new(25, 1);

    /// <summary>
    /// When the source looks variable-rate (<see cref="MediaInfo.IsVariableFrameRate"/>), resample it to
    /// its average rate by repeating or dropping frames (the <c>fps</c> filter), so that the HDR10 output,
    /// written at one constant rate, stays in sync with the copied audio. Default true. When false, every
    /// decoded frame is delivered once with its own timestamp (<c>-fps_mode passthrough</c>).
    /// </summary>
    public bool ConstantFrameRate { get; init; } = true;

    /// <summary>Stop after this many frames (null: all).</summary>
    public int? MaxFrames { get; init; }

    /// <summary>The input's probe when the caller has it already, so that a job probes its input once (null: the reader probes).</summary>
    public MediaInfo? Probe { get; init; }

    /// <summary>What an interlaced input becomes: one picture per frame (default) or per field. Progressive input is not touched.</summary>
    public DeinterlaceRate Deinterlace { get; init; } = DeinterlaceRate.Frame;

    /// <summary>
    /// Keep non-square pixels as stored (the frames are then <see cref="SdrVideoReader.SampleAspectRatio"/>-shaped
    /// and an encoder must tag that) instead of resampling them to square pixels. Default false.
    /// </summary>
    public bool KeepSampleAspectRatio { get; init; }

    /// <summary>
    /// When the first frames of the stream cannot be decoded (it starts without a keyframe, or its
    /// first bytes are damaged), deliver the first decodable picture in their place, so that frame k
    /// is still at time k / rate and the picture stays in sync with the audio. Default true.
    /// </summary>
    public bool HoldUndecodableStart { get; init; } = true;

    /// <summary>
    /// Crop an odd width or height by its last column or row, so frames fit 4:2:0 as they are (default true).
    /// Conversion reads the whole picture (false) and leaves the cropping to its encoder, so frames written as PNG keep
    /// the input's size and the network sees every pixel.
    /// </summary>
    public bool CropToEven { get; init; } = true;
}

/// <summary>One decoded frame: its index, presentation time in seconds from the start, and pixels.</summary>
public sealed record SdrFrame(int Index, double Pts, RgbPlanarFrame Rgb);

/// <summary>
/// One thing the reader did to show the input as a player would, named for a summary:
/// Topic is "rotation", "range", "interlacing", "pixel shape", "size" or "timing".
/// </summary>
public sealed record InputAdjustment(string Topic, string Description);

/// <summary>
/// Decodes any video, still image or image sequence ffmpeg reads into 8-bit R'G'B' code values (in the
/// source's own primaries and transfer, BT.709 for SDR video) as a player would show them:
/// <list type="bullet">
/// <item>Y'CbCr→R'G'B' uses the matrix and range the file is tagged with, passed explicitly to the
/// scale filter (<c>in_color_matrix</c>, <c>in_range</c>): ffmpeg itself would assume BT.601 for every
/// untagged input. Untagged matrix → BT.709, untagged range → limited (full for yuvj formats); each
/// assumption is reported through <see cref="SdrReaderOptions.Warning"/>. SD clips tagged
/// bt470bg/smpte170m are decoded with BT.601.</item>
/// <item>Interlaced input (<see cref="ScanDetection"/>) is deinterlaced by bwdif before anything
/// else touches the rows, one picture per frame or per field (<see cref="SdrReaderOptions.Deinterlace"/>).</item>
/// <item>The display matrix is applied by our own transpose/flip filters after deinterlacing
/// (<c>-noautorotate</c>): ffmpeg's autorotate would turn the picture before our filters run, so
/// bwdif would see columns where the fields' rows were. Mirror images are honoured too.</item>
/// <item>Non-square pixels are resampled to square by scaling the width (height kept), unless
/// <see cref="SdrReaderOptions.KeepSampleAspectRatio"/>; an odd width or height loses its last
/// column or row (cropped, not resampled) unless <see cref="SdrReaderOptions.CropToEven"/> is false.</item>
/// <item>Frames come out as <see cref="RgbPlanarFrame"/> with code value / 255, or as raw planar bytes
/// through <see cref="ReadFrame(Span{byte}, out double)"/>.</item>
/// </list>
/// Every deliberate step is listed in <see cref="Adjustments"/> for the user.
/// Timing: each frame carries its pts in seconds (ffmpeg's showinfo filter, read from stderr).
/// Constant-rate sources pass through unchanged; see <see cref="SdrReaderOptions.ConstantFrameRate"/> for VFR
/// and <see cref="SdrReaderOptions.HoldUndecodableStart"/> for streams whose first frames do not decode.
/// </summary>
public sealed partial class SdrVideoReader : IDisposable
{
    private readonly ExternalProcess _process;
    private readonly SdrReaderOptions _options;
    private readonly BlockingCollection<double> _timestamps = new();
    private readonly string _path;
    private readonly byte[] _planar;
    private readonly bool _wide;
    private byte[]? _codes;
    private string? _partialFileLine;
    private string? _firstErrorLine;
    private readonly List<InputAdjustment> _adjustments;
    private int _delivered;
    private bool _finished;
    private int _heldRepeats;
    private bool _heldPending;
    private double _heldPts;
    private bool _held;

    private static readonly float[] CodeToUnit = Enumerable.Range(0, 256).Select(v => v / 255f).ToArray();

    private SdrVideoReader(string path, MediaInfo info, SdrReaderOptions options, int width, int height,
        string matrix, string range, Rational outputRate, bool wide, IReadOnlyList<string> arguments,
        ScanType scan, Rational sampleAspectRatio, IEnumerable<InputAdjustment> adjustments)
    {
        Scan = scan;
        SampleAspectRatio = sampleAspectRatio;
        _adjustments = adjustments.ToList();
        _wide = wide;
        _path = path;
        _options = options;
        Info = info;
        Width = width;
        Height = height;
        Matrix = matrix;
        Range = range;
        FrameRate = outputRate;
        Arguments = arguments;
        _planar = new byte[checked((wide ? 6 : 3) * width * height)];
        _process = ExternalProcess.Start(Ffmpeg.FfmpegPath, arguments, redirectInput: false, OnStderr);
    }

    /// <summary>The probe of the input.</summary>
    public MediaInfo Info { get; }

    /// <summary>Output size: deinterlaced, turned upright, square pixels (unless kept), even.</summary>
    public int Width { get; }
    public int Height { get; }

    /// <summary>Shape of the delivered pixels: 1:1, or the input's (turned with the picture) under <see cref="SdrReaderOptions.KeepSampleAspectRatio"/>.</summary>
    public Rational SampleAspectRatio { get; }

    /// <summary>Whether the input was found interlaced, and how.</summary>
    public ScanType Scan { get; }

    /// <summary>
    /// What was done to show the input as a player would (turned, range read, deinterlaced, pixels
    /// resampled or kept, timing); the range is always listed. Complete once the first frame is read.
    /// </summary>
    public IReadOnlyList<InputAdjustment> Adjustments => _adjustments;

    /// <summary>Frames a whole read should deliver: the input's count, twice that when fields become pictures.</summary>
    public long ExpectedFrameCount => Info.FrameCount * (Scan.Interlaced && _options.Deinterlace == DeinterlaceRate.Field ? 2 : 1);

    /// <summary>The Y'CbCr matrix used, in the scale filter's spelling ("bt709", "bt470", "smpte170m", "bt2020"), or "rgb" for RGB sources.</summary>
    public string Matrix { get; }

    /// <summary>"tv" (limited) or "pc" (full), the input range used.</summary>
    public string Range { get; }

    /// <summary>The rate an encoder should use to keep the timing: the source's average rate (or the sequence rate).</summary>
    public Rational FrameRate { get; }

    /// <summary>The ffmpeg command line, for logs.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Probes <paramref name="path"/> and starts decoding it. Fails fast with one-line exceptions (see <see cref="MediaProbe"/>).</summary>
    public static SdrVideoReader Open(string path, SdrReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SdrReaderOptions();
        bool sequence = MediaProbe.IsSequencePattern(path);
        MediaInfo info = options.Probe ?? MediaProbe.Probe(path, sequence ? options.SequenceFrameRate : null, cancellationToken);
        var warn = options.Warning ?? (_ => { });
        string name = MediaProbe.DisplayName(path);

        if (info.IsHdr)
            warn($"{name}: transfer is {info.ColorTransfer} (HDR); decoding its code values as if they were SDR");

        (string matrix, string range) = ChooseConversion(info, name, warn);
        var adjustments = new List<InputAdjustment> { new("range", DescribeRange(info, matrix, range)) };
        var filters = new List<string>();

        // Fields first: bwdif needs the rows as they were scanned, before any turn or scale.
        ScanType scan = ScanDetection.Detect(path, info, sequence, cancellationToken);
        Rational rate = info.FrameRate.IsKnown ? info.FrameRate : options.SequenceFrameRate;
        if (scan.Interlaced)
        {
            bool perField = options.Deinterlace == DeinterlaceRate.Field;
            // deint=all: a stream found interlaced is deinterlaced throughout, so every frame gives
            // exactly one (or two) pictures and the timing stays regular. parity=auto follows the
            // decoder's per-frame flags where the file has them; idet's verdict where it has none.
            string parity = scan.FromTag ? "auto" : scan.TopFieldFirst ? "tff" : "bff";
            filters.Add($"bwdif=mode={(perField ? "send_field" : "send_frame")}:parity={parity}:deint=all");
            if (perField) rate = Twice(rate);
            adjustments.Add(new("interlacing", $"{(scan.TopFieldFirst ? "top" : "bottom")} field first ({scan.Evidence}): deinterlaced with bwdif, " +
                $"one picture per {(perField ? "field" : "frame")}, {rate.Value.ToString("0.###", CultureInfo.InvariantCulture)} fps"));
        }

        // The fps filter (not -fps_mode cfr, which acts after the filters) so that showinfo sees the
        // timestamps of the frames actually delivered.
        if (info.IsVariableFrameRate && options.ConstantFrameRate && !info.IsImage)
        {
            string text = $"variable frame rate (average {info.FrameRate}, base {info.RealFrameRate}); resampled to a constant {rate} fps";
            warn($"{name}: {text}");
            adjustments.Add(new("timing", text + " (frames repeated or dropped where the gaps were uneven)"));
            filters.Add($"fps=fps={rate}");
        }

        // Then upright, as the display matrix says: lossless transposes and flips of whole pixels.
        DisplayOrientation orientation = info.Orientation;
        bool quarterTurn = orientation.SwapsAxes;
        int rotatedWidth = quarterTurn ? info.Height : info.Width;
        int rotatedHeight = quarterTurn ? info.Width : info.Height;
        if (info.TiltedMatrixDegrees is double tilt)
            warn($"{name}: the display matrix turns the picture by {tilt.ToString("0.#", CultureInfo.InvariantCulture)}°; shown {orientation.Describe()}, the nearest quarter turn");
        if (orientation.Filter is string turn)
        {
            filters.Add(turn);
            adjustments.Add(new("rotation", $"{orientation.Describe()}, as the display matrix says ({turn}): {info.Width}×{info.Height} stored, " +
                $"{rotatedWidth}×{rotatedHeight} shown; the output is stored upright"));
        }

        // Pixel shape: resampled to square (every player and the network see the picture as shown), or kept and tagged.
        double pixelShape = info.DisplayPixelShape;
        bool anamorphic = Math.Abs(pixelShape - 1) > 1e-6;
        string shape = $"{info.SampleAspectRatio.Numerator}:{info.SampleAspectRatio.Denominator}";
        Rational sampleAspect = new(1, 1);
        int width, height;
        string flags = "bicubic+accurate_rnd+full_chroma_int+full_chroma_inp";
        if (anamorphic && !options.KeepSampleAspectRatio)
        {
            width = Math.Max(2, 2 * (int)Math.Round(rotatedWidth * pixelShape / 2));
            height = Math.Max(2, 2 * (int)Math.Round(rotatedHeight / 2.0));
            adjustments.Add(new("pixel shape", $"{shape} pixels resampled to square: {rotatedWidth}×{rotatedHeight} → {width}×{height}"));
        }
        else
        {
            (width, height) = options.CropToEven ? (rotatedWidth & ~1, rotatedHeight & ~1) : (rotatedWidth, rotatedHeight);
            if (width == 0 || height == 0)
                throw new InvalidDataException($"{name}: picture of {rotatedWidth}×{rotatedHeight} is too small");
            if (width != rotatedWidth || height != rotatedHeight)
            {
                adjustments.Add(new("size", $"{rotatedWidth}×{rotatedHeight} is odd; last {(width != rotatedWidth ? "column" : "row")}{(width != rotatedWidth && height != rotatedHeight ? " and row" : "")} cropped to {width}×{height} (4:2:0 needs even sizes)"));
                filters.Add($"crop={width}:{height}:0:0");
            }
            if (anamorphic)
            {
                Rational sar = info.SampleAspectRatio;
                sampleAspect = quarterTurn ? new Rational(sar.Denominator, sar.Numerator) : sar;
                adjustments.Add(new("pixel shape", $"{shape} pixels kept: {width}×{height} stored, tagged {sampleAspect.Numerator}:{sampleAspect.Denominator}" +
                    $" (shows as {(int)Math.Round(width * sampleAspect.Value)}×{height})"));
            }
        }
        string scale = $"scale=w={width}:h={height}:flags={flags}";
        if (matrix != "rgb") scale += $":in_color_matrix={matrix}:in_range={range}";
        filters.Add(scale);
        // The raw pipe carries no pixel shape; the encoder tags SampleAspectRatio itself.
        filters.Add("setsar=1");
        // swscale reduces 16 bits to 8 by /256 (38550 → 151, not 150): deeper sources come out as
        // gbrp16le and are reduced here with round(v / 257), which maps v·257 back to v exactly.
        bool wide = info.BitDepth > 8;
        string outputFormat = wide ? "gbrp16le" : "gbrp";
        filters.Add($"format={outputFormat}");

        var arguments = new List<string> { "-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+info", "-noautorotate" };
        if (sequence)
            arguments.AddRange(["-f", "image2", "-framerate", options.SequenceFrameRate.ToString()]);
        arguments.AddRange(["-i", path, "-map", "0:V:0", "-an", "-sn", "-dn"]);
        arguments.AddRange(["-fps_mode", "passthrough"]);
        if (options.MaxFrames is int max)
            arguments.AddRange(["-frames:v", max.ToString(CultureInfo.InvariantCulture)]);
        filters.Add("showinfo=checksum=0");
        arguments.AddRange(["-vf", string.Join(',', filters), "-f", "rawvideo", "-pix_fmt", outputFormat, "pipe:1"]);

        return new SdrVideoReader(path, info, options, width, height, matrix, range, rate, wide, arguments, scan, sampleAspect, adjustments);
    }

    private static Rational Twice(Rational rate)
    {
        (int n, int d) = (rate.Numerator * 2, rate.Denominator);
        int g = (int)System.Numerics.BigInteger.GreatestCommonDivisor(n, d);
        return new Rational(n / g, d / g);
    }

    /// <summary>
    /// How the levels were read, with the code values that mean black and white at the source's depth
    /// and the reason (the tag, the yuvj pixel format, or an assumption).
    /// </summary>
    private static string DescribeRange(MediaInfo info, string matrix, string range)
    {
        if (matrix == "rgb")
            return "full: RGB or grey pixels, 0 black to the top code white";
        int bits = Math.Clamp(info.BitDepth, 8, 16);
        bool yuvj = info.PixelFormat.StartsWith("yuvj", StringComparison.Ordinal);
        string why = info.ColorRange is not null
            ? $"tagged {info.ColorRange}" + (yuvj ? $", {info.PixelFormat}" : "")
            : yuvj ? $"pixel format {info.PixelFormat} (JPEG levels)" : "untagged, assumed";
        return range == "pc"
            ? $"full: Y' 0–{(1 << bits) - 1} read as black–white ({why})"
            : $"limited: Y' {16 << (bits - 8)}–{235 << (bits - 8)} read as black–white ({why})";
    }

    /// <summary>
    /// The conversion the file's own tags call for. The scale filter's names differ from ffprobe's:
    /// bt470bg → "bt470", bt2020nc → "bt2020".
    /// </summary>
    internal static (string Matrix, string Range) ChooseConversion(MediaInfo info, string name, Action<string> warn)
    {
        string pf = info.PixelFormat;
        bool rgbSource = info.ColorSpace == "gbr" || pf.StartsWith("rgb", StringComparison.Ordinal)
            || pf.StartsWith("bgr", StringComparison.Ordinal) || pf.StartsWith("gbr", StringComparison.Ordinal)
            || pf.StartsWith("argb", StringComparison.Ordinal) || pf.StartsWith("abgr", StringComparison.Ordinal)
            || pf.StartsWith("pal", StringComparison.Ordinal);
        bool graySource = pf.StartsWith("gray", StringComparison.Ordinal) || pf.StartsWith("ya", StringComparison.Ordinal);
        if (rgbSource || graySource)
            return ("rgb", "pc");

        string matrix;
        switch (info.ColorSpace)
        {
            case "bt709": matrix = "bt709"; break;
            case "bt470bg": matrix = "bt470"; break;
            case "smpte170m": matrix = "smpte170m"; break;
            case "bt2020nc": matrix = "bt2020"; break;
            case "bt2020c":
                matrix = "bt2020";
                warn($"{name}: matrix bt2020c (constant luminance) decoded with the non-constant-luminance BT.2020 matrix");
                break;
            case "fcc": matrix = "fcc"; break;
            case "smpte240m": matrix = "smpte240m"; break;
            case null:
                matrix = "bt709";
                warn($"{name}: no colour matrix tag; assuming BT.709");
                break;
            default:
                matrix = "bt709";
                warn($"{name}: colour matrix {info.ColorSpace} not supported; assuming BT.709");
                break;
        }
        string range = info.ColorRange switch
        {
            "tv" => "tv",
            "pc" => "pc",
            _ => pf.StartsWith("yuvj", StringComparison.Ordinal) ? "pc" : "tv",
        };
        if (info.ColorRange is null && !pf.StartsWith("yuvj", StringComparison.Ordinal))
            warn($"{name}: no colour range tag; assuming limited (tv) range");
        return (matrix, range);
    }

    /// <summary>
    /// Reads the next frame as planar 8-bit code values in R, G, B plane order (3·W·H bytes).
    /// Returns false at the end of the stream; throws <see cref="InvalidDataException"/> when the input
    /// turned out truncated or undecodable.
    /// </summary>
    public bool ReadFrame(Span<byte> planarRgb, out double pts, CancellationToken cancellationToken = default)
    {
        int plane = Width * Height;
        if (planarRgb.Length < 3 * plane)
            throw new ArgumentException($"Need {3 * plane} bytes for a {Width}×{Height} frame.", nameof(planarRgb));
        pts = double.NaN;
        if (_heldRepeats > 0 || _heldPending)
            return DeliverHeld(planarRgb, out pts);
        if (_finished) return false;
        // ffmpeg stops itself after MaxFrames decoded frames; held stand-ins count towards that too.
        if (_held && _options.MaxFrames is int limit && _delivered >= limit)
        {
            _finished = true;
            return false;
        }
        using (cancellationToken.Register(_process.Kill))
        {
            int read = _process.Output.ReadAtLeast(_planar, _planar.Length, throwOnEndOfStream: false);
            cancellationToken.ThrowIfCancellationRequested();
            if (read < _planar.Length)
            {
                Finish(read, cancellationToken);
                return false;
            }
        }
        CopyPlanes(planarRgb);
        // showinfo logs a frame before ffmpeg writes it, so its line is on its way; the wait only
        // bridges the stderr reader thread.
        if (!_timestamps.TryTake(out pts, TimeSpan.FromSeconds(30)))
            pts = _delivered / FrameRate.Value;
        if (_delivered == 0 && StartsLate(pts))
            return DeliverHeld(planarRgb, out pts);
        _delivered++;
        return true;
    }

    private void CopyPlanes(Span<byte> planarRgb)
    {
        int plane = Width * Height;
        // ffmpeg's gbrp order is G, B, R.
        CopyPlane(2, planarRgb[..plane]);
        CopyPlane(0, planarRgb.Slice(plane, plane));
        CopyPlane(1, planarRgb.Slice(2 * plane, plane));
    }

    /// <summary>
    /// True when the first decoded frame sits whole frame intervals after the video stream's first
    /// packet: those frames could not be decoded (no keyframe before them, damaged bytes). The picture
    /// is then held over them, as ffmpeg's constant-rate output does, so that frame k stays at time
    /// k / rate and in sync with the audio; a player shows nothing or this picture there.
    /// </summary>
    private bool StartsLate(double firstPts)
    {
        if (!_options.HoldUndecodableStart || Info.IsImage || _held) return false;
        int missing = (int)Math.Round((firstPts - Info.VideoStartTime) * FrameRate.Value);
        if (missing < 1) return false;
        _held = true;
        _heldRepeats = missing;
        _heldPending = true;
        _heldPts = firstPts;
        string seconds = (firstPts - Info.VideoStartTime).ToString("0.###", CultureInfo.InvariantCulture);
        string text = $"the first {missing} frame{(missing == 1 ? "" : "s")} ({seconds} s) could not be decoded; the first decodable picture is held over them, so the picture stays in sync with the sound";
        _adjustments.Add(new("timing", text));
        _options.Warning?.Invoke($"{MediaProbe.DisplayName(_path)}: {text}");
        return true;
    }

    /// <summary>The held first picture again (still in the ffmpeg buffer): a stand-in frame, then the real one at its own time.</summary>
    private bool DeliverHeld(Span<byte> planarRgb, out double pts)
    {
        if (_options.MaxFrames is int max && _delivered >= max)
        {
            _heldRepeats = 0;
            _heldPending = false;
            pts = double.NaN;
            return false;
        }
        CopyPlanes(planarRgb);
        if (_heldRepeats > 0)
        {
            pts = Info.VideoStartTime + _delivered / FrameRate.Value;
            _heldRepeats--;
        }
        else
        {
            pts = _heldPts;
            _heldPending = false;
        }
        _delivered++;
        return true;
    }

    private void CopyPlane(int sourcePlane, Span<byte> destination)
    {
        int plane = destination.Length;
        if (!_wide)
        {
            _planar.AsSpan(sourcePlane * plane, plane).CopyTo(destination);
            return;
        }
        ReadOnlySpan<byte> wide = _planar.AsSpan(2 * sourcePlane * plane, 2 * plane);
        for (int i = 0; i < plane; i++)
        {
            int v = wide[2 * i] | (wide[2 * i + 1] << 8);
            destination[i] = (byte)((v + 128) / 257);
        }
    }

    /// <summary>Reads the next frame as code value / 255; null at the end of the stream.</summary>
    public SdrFrame? ReadFrame(CancellationToken cancellationToken = default)
    {
        _codes ??= new byte[3 * Width * Height];
        byte[] bytes = _codes;
        if (!ReadFrame(bytes, out double pts, cancellationToken))
            return null;
        var frame = new RgbPlanarFrame(Width, Height);
        float[] data = frame.Data;
        for (int i = 0; i < bytes.Length; i++)
            data[i] = CodeToUnit[bytes[i]];
        return new SdrFrame(_delivered - 1, pts, frame);
    }

    /// <summary>All remaining frames, in order.</summary>
    public IEnumerable<SdrFrame> ReadFrames(CancellationToken cancellationToken = default)
    {
        while (ReadFrame(cancellationToken) is SdrFrame frame)
            yield return frame;
    }

    private void Finish(int partialBytes, CancellationToken cancellationToken)
    {
        _finished = true;
        _process.WaitForExit(cancellationToken);
        string name = MediaProbe.DisplayName(_path);
        if (_process.ExitCode != 0)
            throw MediaProbe.Unreadable(_path, "ffmpeg", _process.LastErrorLine);
        if (_partialFileLine is not null)
            throw new InvalidDataException($"{name}: truncated or unreadable (ffmpeg: {_partialFileLine})");
        if (partialBytes > 0)
            throw new InvalidDataException($"{name}: truncated or unreadable (ffmpeg: last frame incomplete)");
        if (_delivered == 0)
        {
            // ffmpeg decodes nothing without complaint when every frame waits for a keyframe that never comes.
            if (_firstErrorLine is null && !Info.IsImage)
                throw new InvalidDataException($"{name}: no picture could be decoded (the video has no keyframe to start from, or its data is damaged)");
            throw MediaProbe.Unreadable(_path, "ffmpeg", _firstErrorLine ?? "no frame could be decoded");
        }
        // A container that promised many more frames than came out, with decoder errors, lost data.
        bool expectedMore = Info.FrameCountIsExact && !Info.IsImage && _options.MaxFrames is null
            && !(Info.IsVariableFrameRate && _options.ConstantFrameRate)
            && _delivered < 0.9 * Info.FrameCount;
        if (expectedMore && _firstErrorLine is not null)
            throw new InvalidDataException($"{name}: truncated or unreadable (ffmpeg: decoded {_delivered} of {Info.FrameCount} frames; {_firstErrorLine})");
    }

    private void OnStderr(string line)
    {
        if (line.Contains("Parsed_showinfo", StringComparison.Ordinal))
        {
            Match m = ShowInfoTiming().Match(line);
            if (m.Success && double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double t))
                _timestamps.Add(t);
            return;
        }
        if (line.Contains("[error]", StringComparison.Ordinal) || line.Contains("[fatal]", StringComparison.Ordinal))
        {
            string clean = ExternalProcess.CleanLine(line);
            _firstErrorLine ??= clean;
            if (clean.Contains("partial file", StringComparison.Ordinal))
                _partialFileLine ??= clean;
        }
    }

    // The timestamp queue is not disposed: the stderr thread may still add to it while ffmpeg dies.
    public void Dispose() => _process.Dispose();

    [GeneratedRegex(@"\bn:\s*\d+\s+pts:\s*-?\d+\s+pts_time:(-?[0-9.eE+-]+)")]
    private static partial Regex ShowInfoTiming();
}
