using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Media;

/// <summary>One HDR frame of a <see cref="HdrFrameSource"/>: a name to match frames by, and PQ BT.2020 code values in [0,1].</summary>
public sealed record NamedFrame(string Name, int Index, RgbPlanarFrame Frame);

/// <summary>
/// Reads HDR frames in the forms the paper and users have them, always as PQ BT.2020 code values in
/// [0,1] (the paper's metric space):
/// <list type="bullet">
/// <item>a folder of PNGs (16-bit PQ BT.2020 code values, the paper's format; sorted by name),
/// or one PNG;</item>
/// <item>an HDR10 video (PQ, BT.2020): Y'CbCr→R'G'B' with the BT.2020 non-constant-luminance matrix
/// and the file's range, delivered at 16 bits;</item>
/// <item>an OpenEXR/PFM/Radiance still, taken as linear BT.2020 light in cd/m² and PQ-encoded.</item>
/// </list>
/// </summary>
public sealed class HdrFrameSource
{
    private static readonly string[] PictureExtensions = [".png"];
    private static readonly string[] FloatExtensions = [".exr", ".pfm", ".hdr"];

    private readonly Func<CancellationToken, IEnumerable<NamedFrame>> _frames;

    private HdrFrameSource(string path, string kind, int count, Func<CancellationToken, IEnumerable<NamedFrame>> frames)
    {
        Path = path;
        Kind = kind;
        Count = count;
        _frames = frames;
    }

    public string Path { get; }

    /// <summary>"png folder", "png", "hdr10 video" or "float image".</summary>
    public string Kind { get; }

    /// <summary>Number of frames (exact for folders and stills, the container's count for videos).</summary>
    public int Count { get; }

    public IEnumerable<NamedFrame> ReadFrames(CancellationToken cancellationToken = default) => _frames(cancellationToken);

    public static HdrFrameSource Open(string path, CancellationToken cancellationToken = default)
    {
        string name = MediaProbe.DisplayName(path.TrimEnd('/'));
        if (Directory.Exists(path))
        {
            string[] files = Directory.EnumerateFiles(path)
                .Where(f => PictureExtensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0)
                throw new InvalidDataException($"{name}: folder holds no .png frames");
            return new HdrFrameSource(path, "png folder", files.Length, ct => ReadPngs(files, ct));
        }
        if (!File.Exists(path))
            throw new FileNotFoundException($"{name}: file or folder not found", path);
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (PictureExtensions.Contains(extension))
            return new HdrFrameSource(path, "png", 1, ct => ReadPngs([path], ct));
        if (FloatExtensions.Contains(extension))
            return new HdrFrameSource(path, "float image", 1, ct => [new NamedFrame(System.IO.Path.GetFileNameWithoutExtension(path), 0, LinearToPq(FloatImage.Read(path, ct)))]);

        MediaInfo info = MediaProbe.Probe(path, cancellationToken: cancellationToken);
        if (info.ColorTransfer != "smpte2084")
            throw new InvalidDataException($"{name}: not an HDR10 video (transfer {info.ColorTransfer ?? "untagged"}, expected smpte2084)");
        return new HdrFrameSource(path, "hdr10 video", (int)info.FrameCount, ct => ReadHdr10(path, info, ct));
    }

    private static IEnumerable<NamedFrame> ReadPngs(string[] files, CancellationToken cancellationToken) =>
        ReadPngs(files, 16, "HDR frames must be 16-bit PQ BT.2020 PNGs", cancellationToken);

    /// <summary>PNG frames in the given order, each required to have <paramref name="bitDepth"/> bits (else one line: the file, its depth, <paramref name="requirement"/>).</summary>
    internal static IEnumerable<NamedFrame> ReadPngs(string[] files, int bitDepth, string requirement, CancellationToken cancellationToken)
    {
        for (int i = 0; i < files.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RgbPlanarFrame frame = Png16.Read(files[i], out int depth);
            if (depth != bitDepth)
                throw new InvalidDataException($"{MediaProbe.DisplayName(files[i])}: {depth}-bit PNG; {requirement}");
            yield return new NamedFrame(System.IO.Path.GetFileNameWithoutExtension(files[i]), i, frame);
        }
    }

    private static RgbPlanarFrame LinearToPq(RgbPlanarFrame linear)
    {
        St2084.InverseEotf(linear.Data, linear.Data);
        return linear;
    }

    private static IEnumerable<NamedFrame> ReadHdr10(string path, MediaInfo info, CancellationToken cancellationToken)
    {
        int w = info.Width, h = info.Height, n = w * h;
        string range = info.ColorRange == "pc" ? "pc" : "tv";
        var arguments = new List<string>
        {
            "-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+error",
            "-i", path, "-map", "0:V:0", "-an", "-sn", "-dn", "-fps_mode", "passthrough",
            "-vf", $"scale=w={w}:h={h}:in_color_matrix=bt2020:in_range={range}:flags=bicubic+accurate_rnd+full_chroma_int+full_chroma_inp,format=gbrp16le",
            "-f", "rawvideo", "-pix_fmt", "gbrp16le", "pipe:1",
        };
        var bytes = new byte[checked(6 * n)];
        using var process = ExternalProcess.Start(Ffmpeg.FfmpegPath, arguments, redirectInput: false);
        using var registration = cancellationToken.Register(process.Kill);
        for (int index = 0; ; index++)
        {
            int read = process.Output.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            cancellationToken.ThrowIfCancellationRequested();
            if (read < bytes.Length)
            {
                process.WaitForExit(cancellationToken);
                if (process.ExitCode != 0 || read > 0 || index == 0)
                    throw new InvalidDataException($"{MediaProbe.DisplayName(path)}: truncated or unreadable (ffmpeg: {process.LastErrorLine})");
                yield break;
            }
            yield return new NamedFrame(index.ToString("D6"), index, Gbrp16.Unpack(bytes, w, h));
        }
    }
}
