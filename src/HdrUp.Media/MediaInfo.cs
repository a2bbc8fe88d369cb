namespace HdrUp.Media;

/// <summary>
/// What <see cref="MediaProbe"/> learned about a file's first video stream and its other streams.
/// Colour fields hold ffprobe's names ("bt709", "smpte170m", "smpte2084", "tv", ...) or null when the
/// file does not say.
/// </summary>
public sealed record MediaInfo
{
    public required string Path { get; init; }
    public required string FormatName { get; init; }

    /// <summary>Coded picture size, before rotation and before square-pixel resampling.</summary>
    public required int Width { get; init; }
    public required int Height { get; init; }

    /// <summary>Pixel shape; 1:1 when the file says nothing.</summary>
    public required Rational SampleAspectRatio { get; init; }

    /// <summary>
    /// How a player lays the stored picture on the screen: from the display matrix (MP4/MOV), mirror
    /// images included, or the legacy "rotate" tag (clockwise degrees); upright when neither is there.
    /// </summary>
    public required DisplayOrientation Orientation { get; init; }

    /// <summary>The display matrix's own turn in clockwise degrees when it is not a quarter turn (then rounded into <see cref="Orientation"/>); null otherwise.</summary>
    public double? TiltedMatrixDegrees { get; init; }

    /// <summary>Clockwise degrees a player turns the picture (0, 90, 180, 270), after any mirroring.</summary>
    public int Rotation => Orientation.ClockwiseDegrees;

    /// <summary>
    /// ffprobe's field_order: "progressive", "tt" (top field first), "bb" (bottom first), "tb"/"bt"
    /// (coded one way, shown the other); null when the file does not say.
    /// </summary>
    public string? FieldOrder { get; init; }

    /// <summary>
    /// Seconds from the start of the file (its earliest stream) to the video stream's first packet:
    /// where ffmpeg's decoded timeline puts the first frame when every frame decodes. 0 when unknown.
    /// </summary>
    public double VideoStartTime { get; init; }

    /// <summary>Average frame rate (frames / duration); falls back to <see cref="RealFrameRate"/> when unknown.</summary>
    public required Rational FrameRate { get; init; }

    /// <summary>ffprobe's r_frame_rate: the lowest rate at which every timestamp can be represented.</summary>
    public required Rational RealFrameRate { get; init; }

    /// <summary>
    /// A hint, not proof: true when the average and the "real" frame rates differ by more than 1 %,
    /// which is how variable-rate phone recordings and screen captures show up in ffprobe.
    /// </summary>
    public required bool IsVariableFrameRate { get; init; }

    /// <summary>Duration in seconds of the video stream (its own, or Matroska's DURATION tag, else the container's); NaN when unknown.</summary>
    public required double Duration { get; init; }

    /// <summary>Number of frames: the container's count when it has one, otherwise duration × frame rate rounded.</summary>
    public required long FrameCount { get; init; }

    /// <summary>True when <see cref="FrameCount"/> comes from the container rather than an estimate.</summary>
    public required bool FrameCountIsExact { get; init; }

    public required string Codec { get; init; }
    public required string PixelFormat { get; init; }

    /// <summary>Bits per sample: bits_per_raw_sample when given, else derived from the pixel format (8 when unsure).</summary>
    public required int BitDepth { get; init; }

    /// <summary>"tv" (limited) or "pc" (full); null when untagged.</summary>
    public string? ColorRange { get; init; }

    /// <summary>The Y'CbCr matrix ("bt709", "bt470bg", "smpte170m", "bt2020nc", "gbr"...); null when untagged.</summary>
    public string? ColorSpace { get; init; }
    public string? ColorPrimaries { get; init; }
    public string? ColorTransfer { get; init; }

    /// <summary>PQ (smpte2084) or HLG (arib-std-b67) transfer: the input is already HDR.</summary>
    public bool IsHdr => ColorTransfer is "smpte2084" or "arib-std-b67";

    public required bool HasAudio { get; init; }
    public required bool HasSubtitles { get; init; }

    /// <summary>Codec names of the audio streams, in file order ("aac", "ac3"...).</summary>
    public IReadOnlyList<string> AudioCodecs { get; init; } = [];

    /// <summary>Codec names of the subtitle streams ("subrip", "hdmv_pgs_subtitle"...).</summary>
    public IReadOnlyList<string> SubtitleCodecs { get; init; } = [];
    public required bool HasChapters { get; init; }

    /// <summary>True for a still image or an image sequence read through ffmpeg's image2 demuxer.</summary>
    public required bool IsImage { get; init; }

    /// <summary>Size a player shows: turned, then pixels made square by widening or narrowing the width.</summary>
    public (int Width, int Height) DisplaySize
    {
        get
        {
            bool quarterTurn = Orientation.SwapsAxes;
            int w = quarterTurn ? Height : Width;
            int h = quarterTurn ? Width : Height;
            return ((int)Math.Round(w * DisplayPixelShape), h);
        }
    }

    /// <summary>Width ÷ height of one pixel as shown: the sample aspect ratio, inverted by a quarter turn.</summary>
    public double DisplayPixelShape
    {
        get
        {
            Rational sar = SampleAspectRatio;
            if (!sar.IsKnown) return 1.0;
            return Orientation.SwapsAxes ? 1.0 / sar.Value : sar.Value;
        }
    }
}
