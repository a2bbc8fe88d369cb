using HdrUp.Color;

namespace HdrUp.Media;

/// <summary>
/// SDR frames for comparison with a result (<c>hdrup eval --sdr</c>): a folder of 8-bit PNGs (sorted by name), one
/// 8-bit PNG, or anything <see cref="SdrVideoReader"/> decodes (videos, stills, sequences; rotation and pixel aspect
/// handled as convert handles them, so frames line up with convert's output). Values are code value / 255, BT.709.
/// </summary>
public static class SdrFrameSource
{
    /// <summary>Opens <paramref name="path"/>; errors are one line naming the file.</summary>
    public static (string Kind, IEnumerable<NamedFrame> Frames) Open(string path, CancellationToken cancellationToken = default)
    {
        string name = MediaProbe.DisplayName(path.TrimEnd('/'));
        if (Directory.Exists(path))
        {
            string[] files = Directory.EnumerateFiles(path, "*.png").Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0) throw new InvalidDataException($"{name}: folder holds no .png frames");
            return ("png folder", ReadPngs(files, cancellationToken));
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"{name}: file or folder not found", path);
        if (Path.GetExtension(path).Equals(".png", StringComparison.OrdinalIgnoreCase))
            return ("png", ReadPngs([path], cancellationToken));
        var reader = SdrVideoReader.Open(path, cancellationToken: cancellationToken);
        return ("sdr video", ReadVideo(reader, cancellationToken));
    }

    private static IEnumerable<NamedFrame> ReadPngs(string[] files, CancellationToken cancellationToken) =>
        HdrFrameSource.ReadPngs(files, 8, "SDR frames must be 8-bit BT.709 PNGs", cancellationToken);

    private static IEnumerable<NamedFrame> ReadVideo(SdrVideoReader reader, CancellationToken cancellationToken)
    {
        using (reader)
        {
            foreach (var frame in reader.ReadFrames(cancellationToken))
                yield return new NamedFrame(frame.Index.ToString("D6"), frame.Index, frame.Rgb);
        }
    }
}
