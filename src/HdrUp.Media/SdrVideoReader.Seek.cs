using System.Globalization;

namespace HdrUp.Media;

// Seeking for the scale-out work (`convert --segment`). It is a partial part of SdrVideoReader so
// that a segment is decoded by exactly the command line a whole-file run uses (same filters, same
// plane handling, same error checks), only started at a keyframe. It sits in Conversion/ because
// SegmentReader is its only user; it can move into SdrVideoReader.cs as is.
public sealed partial class SdrVideoReader
{
    /// <summary>
    /// Like <see cref="Open"/>, but ffmpeg starts demuxing at the keyframe at or before
    /// <paramref name="seekSeconds"/> (<c>-ss</c> before <c>-i</c>, <c>-noaccurate_seek</c>): every
    /// frame from that keyframe on is delivered, those before the seek point with negative
    /// timestamps. Timestamps are the whole-file timeline minus <paramref name="seekSeconds"/>.
    /// Null: no seek. The caller identifies frames by their timestamps and stops reading when it has
    /// what it wants (the truncation check of a whole-file read is the caller's to do).
    /// </summary>
    public static SdrVideoReader OpenAt(string path, double? seekSeconds, SdrReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SdrReaderOptions();
        // After a seek the first frame is a keyframe by construction; a late start of the whole
        // stream is segment 1's to fill (it does not seek), exactly as a whole-file run does.
        if (seekSeconds is not null) options = options with { HoldUndecodableStart = false };
        // Open builds the command line (and reports its assumptions once); its ffmpeg, limited to one
        // frame, is stopped at once and a second one started with the seek.
        SdrVideoReader plain = Open(path, options with { MaxFrames = 1 }, cancellationToken);
        plain.Dispose();
        var arguments = plain.Arguments.ToList();
        int frames = arguments.IndexOf("-frames:v");
        arguments[frames + 1] = int.MaxValue.ToString(CultureInfo.InvariantCulture);
        if (seekSeconds is double seconds)
            arguments.InsertRange(arguments.IndexOf("-i"), ["-ss", seconds.ToString("0.######", CultureInfo.InvariantCulture), "-noaccurate_seek"]);
        return new SdrVideoReader(path, plain.Info, options with { MaxFrames = int.MaxValue }, plain.Width, plain.Height,
            plain.Matrix, plain.Range, plain.FrameRate, plain._wide, arguments, plain.Scan, plain.SampleAspectRatio, plain.Adjustments);
    }
}
