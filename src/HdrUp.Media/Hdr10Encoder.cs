using System.Globalization;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Media;

/// <summary>Options of <see cref="Hdr10Encoder"/>.</summary>
public sealed record Hdr10EncoderOptions
{
    /// <summary>Constant frame rate of the output; pass the reader's <see cref="SdrVideoReader.FrameRate"/> to keep the source's timing.</summary>
    public required Rational FrameRate { get; init; }

    /// <summary>MaxCLL/MaxFALL of the whole programme (x265 writes them in SEI before the first frame).</summary>
    public required ContentLightLevel LightLevel { get; init; }

    /// <summary>
    /// PQ (HDR10, the default) or HLG. Frames are PQ code values either way; with HLG each is converted on the way in,
    /// and no mastering display or light level SEI is written: HLG is scene-referred and BT.2100 gives it no static
    /// metadata (a receiver adapts the same signal to its own peak).
    /// </summary>
    public HdrTransfer Transfer { get; init; } = HdrTransfer.Pq;

    /// <summary>Mastering display; default P3-D65 1000 cd/m².</summary>
    public MasteringDisplay MasteringDisplay { get; init; } = MasteringDisplay.P3D65_1000;

    /// <summary>
    /// x265 constant rate factor. 18 by default: visually transparent for 10-bit HEVC, so the detail
    /// the network restores is not thrown away again; each step of 6 halves or doubles the size.
    /// </summary>
    public int Crf { get; init; } = 18;

    /// <summary>
    /// x265 preset. "medium" by default: even at 1080p it encodes a frame in well under a second on two
    /// cores, while KPNet takes tens of seconds for the same frame, so a faster preset would save
    /// nothing worth its larger files.
    /// </summary>
    public string Preset { get; init; } = "medium";

    /// <summary>A file whose audio, subtitle and chapter streams are copied unchanged (usually the SDR source). Null: video only.</summary>
    public string? StreamSource { get; init; }

    /// <summary>The <see cref="StreamSource"/>'s probe when the caller has it (null: the encoder probes it).</summary>
    public MediaInfo? StreamSourceProbe { get; init; }

    public bool CopyAudio { get; init; } = true;
    public bool CopySubtitles { get; init; } = true;
    public bool CopyChapters { get; init; } = true;

    /// <summary>Cut the copied streams at this many seconds (e.g. when only the first frames are converted). Null: no cut.</summary>
    public double? Duration { get; init; }

    /// <summary>
    /// Shape of the pixels, tagged in the HEVC VUI and the container (Matroska display size, MP4
    /// pasp) so that players stretch them as the source's were. 1:1 (square) by default.
    /// </summary>
    public Rational SampleAspectRatio { get; init; } = new(1, 1);

    /// <summary>Replace an existing destination (else <see cref="IOException"/>).</summary>
    public bool Overwrite { get; init; }

    /// <summary>Receives one line per compromise (subtitles dropped, audio re-encoded for MP4...).</summary>
    public Action<string>? Warning { get; init; }
}

/// <summary>
/// Writes HDR10: HEVC Main 10 (libx265), yuv420p10le, limited range, BT.2020 primaries, PQ transfer,
/// BT.2020 non-constant-luminance matrix, with ST 2086 mastering display and CTA-861.3 light level SEI;
/// or, with <see cref="Hdr10EncoderOptions.Transfer"/> HLG, the same stream with the HLG transfer and no static metadata.
/// <para>Frames are PQ BT.2020 R'G'B' code values in [0, 1] (<see cref="RgbPlanarFrame"/>). They are
/// quantised to 16 bits (clamp, ×65535, round half to even), piped as gbrp16le, and converted to
/// Y'CbCr by the scale filter with <c>out_color_matrix=bt2020:out_range=tv</c> set explicitly, because
/// ffmpeg would otherwise convert untagged RGB with BT.601. (zscale is also in Debian's ffmpeg; scale
/// is used because every ffmpeg build has it and it measured the smaller round-trip error here.)</para>
/// <para>Container by extension: .mkv (Matroska, takes any audio/subtitle codec) or .mp4 (tagged
/// hvc1 so Apple players accept it; text subtitles become mov_text, bitmap subtitles are dropped,
/// audio codecs MP4 cannot hold are re-encoded to AAC). Output is constant frame rate.</para>
/// <para>The file is written under a temporary name in the destination folder and renamed when
/// <see cref="Complete"/> succeeds; on failure, cancellation or <see cref="Dispose"/> without
/// completion it is deleted.</para>
/// </summary>
public sealed class Hdr10Encoder : IDisposable
{
    private static readonly HashSet<string> Mp4Audio = ["aac", "ac3", "eac3", "mp3", "alac", "opus", "flac"];
    private static readonly HashSet<string> TextSubtitles = ["subrip", "srt", "ass", "ssa", "mov_text", "webvtt", "text"];

    private readonly ExternalProcess _process;
    private readonly PendingFile _output;
    private readonly byte[] _buffer;
    private bool _completed;
    private bool _failed;

    private Hdr10Encoder(PendingFile output, int width, int height, HdrTransfer transfer, IReadOnlyList<string> arguments)
    {
        Transfer = transfer;
        _output = output;
        Width = width;
        Height = height;
        Arguments = arguments;
        _buffer = new byte[checked(6 * width * height)];
        try
        {
            _process = ExternalProcess.Start(Ffmpeg.FfmpegPath, arguments, redirectInput: true);
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    public string Destination => _output.Path;

    /// <summary>Where the file grows until <see cref="Complete"/> renames it.</summary>
    public string TemporaryPath => _output.TemporaryPath;

    public int Width { get; }
    public int Height { get; }
    public HdrTransfer Transfer { get; }
    public long FramesWritten { get; private set; }

    /// <summary>The ffmpeg command line, for logs.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Starts ffmpeg for a <paramref name="width"/>×<paramref name="height"/> (both even) HDR10 output.</summary>
    public static Hdr10Encoder Create(string destination, int width, int height, Hdr10EncoderOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(destination);
        ArgumentNullException.ThrowIfNull(options);
        if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0)
            throw new ArgumentException($"HDR10 4:2:0 needs an even frame size, got {width}×{height}.");
        if (!options.FrameRate.IsKnown)
            throw new ArgumentException("A known frame rate is required.", nameof(options));
        var warn = options.Warning ?? (_ => { });
        string name = MediaProbe.DisplayName(destination);
        string full = Path.GetFullPath(destination);
        string extension = Path.GetExtension(full).ToLowerInvariant();
        string format = extension switch
        {
            ".mkv" => "matroska",
            ".mp4" or ".m4v" => "mp4",
            ".mov" => "mov",
            _ => throw new ArgumentException($"{name}: unsupported container {extension}; use .mkv or .mp4", nameof(destination)),
        };
        string folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"{name}: folder {folder} not found");
        if (File.Exists(full) && !options.Overwrite)
            throw new IOException($"{name}: already exists (overwrite not allowed)");
        MediaInfo? source = null;
        if (options.StreamSource is not null)
            source = options.StreamSourceProbe ?? MediaProbe.Probe(options.StreamSource);

        var ci = CultureInfo.InvariantCulture;
        var a = new List<string>
        {
            "-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+warning",
            "-f", "rawvideo", "-pix_fmt", "gbrp16le", "-video_size", $"{width}x{height}",
            "-framerate", options.FrameRate.ToString(), "-i", "pipe:0",
        };
        bool audio = false, subtitles = false, chapters = false;
        if (source is not null)
        {
            a.AddRange(["-i", options.StreamSource!]);
            audio = options.CopyAudio && source.HasAudio;
            subtitles = options.CopySubtitles && source.HasSubtitles;
            chapters = options.CopyChapters && source.HasChapters;
            if (subtitles && format != "matroska" && !source.SubtitleCodecs.All(TextSubtitles.Contains))
            {
                warn($"{name}: MP4 cannot hold the source's bitmap subtitles ({string.Join(", ", source.SubtitleCodecs)}); dropped (use .mkv to keep them)");
                subtitles = false;
            }
        }
        a.AddRange(["-map", "0:v:0"]);
        if (audio) a.AddRange(["-map", "1:a?"]);
        if (subtitles) a.AddRange(["-map", "1:s?"]);
        a.AddRange(["-map_chapters", chapters ? "1" : "-1", "-map_metadata", source is null ? "-1" : "1"]);

        // Square pixels stay untagged, as before there was a choice (same bytes as earlier outputs).
        Rational sar = options.SampleAspectRatio;
        string shape = sar.IsKnown && sar.Numerator != sar.Denominator ? $",setsar={sar}" : "";
        a.AddRange([
            "-vf", $"scale=out_color_matrix=bt2020:out_range=tv:flags=accurate_rnd+full_chroma_int,format=yuv420p10le{shape}",
            "-c:v", "libx265", "-preset", options.Preset, "-crf", options.Crf.ToString(ci), "-profile:v", "main10",
            "-x265-params", X265Parameters(options),
            "-color_primaries", "bt2020", "-color_trc", options.Transfer == HdrTransfer.Hlg ? "arib-std-b67" : "smpte2084", "-colorspace", "bt2020nc", "-color_range", "tv",
        ]);
        if (format != "matroska") a.AddRange(["-tag:v", "hvc1", "-movflags", "+faststart"]);
        if (audio)
        {
            bool copyable = format == "matroska" || source!.AudioCodecs.All(Mp4Audio.Contains);
            if (!copyable)
                warn($"{name}: MP4 cannot hold the source's audio ({string.Join(", ", source!.AudioCodecs)}); re-encoded to AAC 192 kbit/s (use .mkv to copy it)");
            a.AddRange(copyable ? ["-c:a", "copy"] : ["-c:a", "aac", "-b:a", "192k"]);
        }
        if (subtitles) a.AddRange(["-c:s", format == "matroska" ? "copy" : "mov_text"]);
        if (options.Duration is double seconds) a.AddRange(["-t", seconds.ToString("0.######", ci)]);
        var output = AtomicFile.Begin(full);
        // bitexact: no random Matroska segment UID or muxer version string, so a resumed conversion
        // writes exactly the file an uninterrupted one does.
        a.AddRange(["-fflags", "+bitexact", "-f", format, "-y", output.TemporaryPath]);

        return new Hdr10Encoder(output, width, height, options.Transfer, a);
    }

    /// <summary>The x265 parameter string: VUI tags; for PQ also the HDR10 SEI and PQ-aware chroma quantisation (hdr10-opt).</summary>
    public static string X265Parameters(Hdr10EncoderOptions options) => options.Transfer == HdrTransfer.Hlg
        ? "log-level=warning:repeat-headers=1:colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc:range=limited"
        : "log-level=warning:hdr10=1:hdr10-opt=1:repeat-headers=1:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:range=limited"
          + $":master-display={options.MasteringDisplay.ToX265()}:max-cll={options.LightLevel.ToX265()}";

    /// <summary>Appends one frame of PQ BT.2020 code values in [0, 1] (for HLG output the frame is converted in place).</summary>
    public void WriteFrame(RgbPlanarFrame frame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ObjectDisposedException.ThrowIf(_completed || _failed, this);
        if (frame.Width != Width || frame.Height != Height)
            throw new ArgumentException($"Frame is {frame.Width}×{frame.Height}; the encoder was created for {Width}×{Height}.", nameof(frame));
        if (Transfer == HdrTransfer.Hlg) Hlg.FromPq(frame);
        Gbrp16.Pack(frame, _buffer);
        try
        {
            using (cancellationToken.Register(_process.Kill))
                _process.Input.Write(_buffer);
            cancellationToken.ThrowIfCancellationRequested();
        }
        catch (Exception e) when (e is OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            Abandon();
            throw new OperationCanceledException(cancellationToken);
        }
        catch (IOException)
        {
            // ffmpeg closed the pipe: it stopped on an error of its own, which its stderr explains.
            Abandon();
            throw Failed();
        }
        FramesWritten++;
    }

    /// <summary>Flushes the encoder, waits for ffmpeg, and renames the finished file into place.</summary>
    public void Complete(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed || _failed, this);
        string name = MediaProbe.DisplayName(Destination);
        if (FramesWritten == 0)
        {
            Abandon();
            throw new InvalidOperationException($"{name}: no frames were written");
        }
        try
        {
            _process.Input.Close();
            _process.WaitForExit(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Abandon();
            throw;
        }
        catch (IOException)
        {
            Abandon();
            throw Failed();
        }
        if (_process.ExitCode != 0)
        {
            Abandon();
            throw Failed();
        }
        _output.Commit();
        _completed = true;
        _process.Dispose();
    }

    private IOException Failed()
    {
        string line = _process.LastErrorLine;
        return new IOException($"{MediaProbe.DisplayName(Destination)}: encoding failed (ffmpeg: {(line.Length > 0 ? line : "no message")})");
    }

    private void Abandon()
    {
        if (_failed) return;
        _failed = true;
        _process.Kill();
        try
        {
            // Lets stderr drain, so that the error message has ffmpeg's last words.
            _process.WaitForExit(CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        _output.Dispose();
    }

    /// <summary>Without a successful <see cref="Complete"/>, stops ffmpeg and deletes the partial file.</summary>
    public void Dispose()
    {
        if (!_completed) Abandon();
    }
}
