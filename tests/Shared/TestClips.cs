using System.Diagnostics;
using System.Globalization;

namespace HdrUp.TestSupport;

/// <summary>
/// Small clips for the input-handling tests, made by the real ffmpeg (nothing downloaded), and the
/// measurements that check what a player shows. Linked into every test project that needs it.
/// </summary>
internal static class TestClips
{
    /// <summary>A fresh temporary folder for one test.</summary>
    public static string TempFolder() => ScratchFolders.Create();

    /// <summary>
    /// A short BT.709-tagged H.264 + AAC clip: moving test pattern, 1 kHz tone. <paramref name="gop"/>:
    /// a keyframe every that many frames (x264's -g), for tests that split a clip at keyframes.
    /// </summary>
    public static string SdrClip(string folder, int width = 64, int height = 48, int frames = 8, int? gop = null)
    {
        string path = Path.Combine(folder, "clip.mp4");
        string[] keyframes = gop is int g ? ["-g", g.ToString(), "-keyint_min", g.ToString(), "-sc_threshold", "0"] : [];
        Ffmpeg(["-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
            "-frames:v", frames.ToString(), "-t", (frames / 25.0).ToString(CultureInfo.InvariantCulture),
            "-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p",
            "-c:v", "libx264", "-crf", "20", .. keyframes, "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
            "-c:a", "aac", "-shortest", path]);
        return path;
    }

    /// <summary>Runs ffmpeg (errors only, overwrite) and returns its standard output.</summary>
    public static byte[] Ffmpeg(params string[] arguments) =>
        Run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", .. arguments]);

    public static string Ffprobe(params string[] arguments) =>
        System.Text.Encoding.UTF8.GetString(Run("ffprobe", ["-v", "error", .. arguments]));

    private static byte[] Run(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed: {error.Result}");
        return output.ToArray();
    }

    private static readonly string[] Bt709Tags = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"];

    /// <summary>
    /// Four grey quadrants, brightest top-left (A), then top-right (B), bottom-left (C), darkest
    /// bottom-right (D): every turn and mirror of the picture puts them in a different order.
    /// H.264, BT.709-tagged, no audio (one track, for <see cref="Mp4DisplayMatrix"/>).
    /// </summary>
    public static void Quadrants(string path, int width, int height, int frames)
    {
        int w = width / 2, h = height / 2;
        Ffmpeg(["-f", "lavfi", "-i", $"color=c=0x1e1e1e:s={width}x{height}:r=25", "-frames:v", frames.ToString(CultureInfo.InvariantCulture),
            "-vf", $"drawbox=x=0:y=0:w={w}:h={h}:color=0xebebeb:t=fill,drawbox=x={w}:y=0:w={w}:h={h}:color=0xaaaaaa:t=fill," +
                   $"drawbox=x=0:y={h}:w={w}:h={h}:color=0x646464:t=fill,format=yuv420p",
            "-c:v", "libx264", "-preset", "ultrafast", .. Bt709Tags, path]);
    }

    /// <summary>
    /// The quadrant letters in the order a picture shows them ("AB/CD" upright), ranked by mean
    /// brightness of 8-bit grey pixels (<paramref name="grey"/>, <paramref name="width"/> per row).
    /// </summary>
    public static string QuadrantLayout(byte[] grey, int width, int height)
    {
        var means = new double[4];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            // Leave a margin around the centre lines, where 4:2:0 chroma and scaling blend quadrants.
            if (Math.Abs(2 * x - width) < width / 8 || Math.Abs(2 * y - height) < height / 8) continue;
            means[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)] += grey[y * width + x];
        }
        char[] letters = new char[4];
        int[] order = Enumerable.Range(0, 4).OrderByDescending(i => means[i]).ToArray();
        for (int rank = 0; rank < 4; rank++) letters[order[rank]] = (char)('A' + rank);
        return $"{letters[0]}{letters[1]}/{letters[2]}{letters[3]}";
    }

    /// <summary>Frame <paramref name="index"/> as a player shows it (ffmpeg's autorotate on): 8-bit grey, with its size.</summary>
    public static (byte[] Grey, int Width, int Height) Shown(string path, int index = 0)
    {
        var (width, height) = ShownSize(path);
        byte[] grey = Ffmpeg(["-i", path, "-vf", $"select=eq(n\\,{index})", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"]);
        return (grey, width, height);
    }

    /// <summary>All frames as a player shows them, 8-bit grey.</summary>
    public static List<byte[]> ShownFrames(string path)
    {
        var (width, height) = ShownSize(path);
        byte[] all = Ffmpeg(["-i", path, "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"]);
        int size = width * height;
        return Enumerable.Range(0, all.Length / size).Select(i => all.AsSpan(i * size, size).ToArray()).ToList();
    }

    /// <summary>The size a player shows: the stored size, sides swapped by a quarter-turn display matrix.</summary>
    public static (int Width, int Height) ShownSize(string path)
    {
        string[] fields = Ffprobe("-select_streams", "v:0", "-show_entries", "stream=width,height:stream_side_data=rotation", "-of", "csv=p=0:nk=1", path)
            .Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int width = int.Parse(fields[0], CultureInfo.InvariantCulture), height = int.Parse(fields[1], CultureInfo.InvariantCulture);
        bool quarter = fields.Length > 2 && Math.Abs(double.Parse(fields[2], CultureInfo.InvariantCulture)) % 180 == 90;
        return quarter ? (height, width) : (width, height);
    }

    /// <summary>
    /// Grey patches 0, 64, 128, 192, 255 (R'G'B', 16 px each) coded losslessly with the given value
    /// range ("pc" full, "tv" limited), pixel format and range tag: full range as yuvj420p/pc gives
    /// Y' = the code, limited gives Y' = 16 + 219·v/255.
    /// </summary>
    public static void Greys(string path, string range, string pixelFormat, string rangeTag, int frames = 1)
    {
        string list = string.Join(',', GreyLevels.Select((v, i) =>
            $"drawbox=x={16 * i}:y=0:w=16:h=16:color=0x{v:x2}{v:x2}{v:x2}:t=fill"));
        Ffmpeg(["-f", "lavfi", "-i", $"color=c=black:s={16 * GreyLevels.Length}x16:r=25", "-frames:v", frames.ToString(CultureInfo.InvariantCulture),
            "-vf", $"format=rgb24,{list},scale=out_color_matrix=bt709:out_range={range}:flags=accurate_rnd+full_chroma_int,format={pixelFormat}",
            "-c:v", "libx264", "-qp", "0", "-preset", "ultrafast", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
            "-color_range", rangeTag, path]);
    }

    public static readonly int[] GreyLevels = [0, 64, 128, 192, 255];

    /// <summary>
    /// A bright bar 16 px wide moving right 4 px per field over a dark ground, 128×64, woven two
    /// fields per frame, top field first, at 25 frames/s: MPEG-2 with interlaced coding (ffprobe
    /// field_order tt) or MPEG-4 Part 2 in AVI, which has no field order to tell. <paramref name="gop"/>: a
    /// keyframe every that many frames, for tests that split the clip.
    /// </summary>
    public static void WovenBar(string path, int frames, string codec = "mpeg2video", int? gop = null)
    {
        string[] interlacedCoding = codec == "mpeg2video" ? ["-flags", "+ildct+ilme", "-top", "1"] : [];
        string[] keyframes = gop is int g ? ["-g", g.ToString(CultureInfo.InvariantCulture), "-bf", "0"] : [];
        Ffmpeg(["-f", "lavfi", "-i", "color=c=black:s=128x64:r=50",
            "-vf", "format=yuv420p,geq=lum='if(between(X-8-4*N\\,0\\,15)\\,235\\,16)':cb=128:cr=128,interlace=scan=tff:lowpass=0",
            "-frames:v", frames.ToString(CultureInfo.InvariantCulture), "-c:v", codec, "-q:v", "2", .. interlacedCoding, .. keyframes,
            "-colorspace", "bt709", "-color_range", "tv", path]);
    }

    /// <summary>
    /// Combing: total vertical change over total horizontal change. The bar's edges are vertical, so a
    /// progressive picture of it has almost none; woven fields put a 4-px step between every two rows
    /// at both edges (about 4 on <see cref="WovenBar"/>).
    /// </summary>
    public static double Combing(Func<int, int, float> at, int width, int height)
    {
        double vertical = 0, horizontal = 0;
        for (int y = 0; y + 1 < height; y++)
        for (int x = 0; x + 1 < width; x++)
        {
            vertical += Math.Abs(at(x, y + 1) - at(x, y));
            horizontal += Math.Abs(at(x + 1, y) - at(x, y));
        }
        return vertical / horizontal;
    }

    /// <summary>
    /// 20 frames (64×48, a bar 8 px wide moving 2 px per frame, a keyframe every 10, no B frames) with a tone, then a stream copy from 0.12 s
    /// with -copyinkf, which keeps the P frames before the next keyframe: the cut file's video starts
    /// at 0 s with 7 frames that cannot be decoded, and its first picture is the keyframe at 0.28 s.
    /// 17 video packets, 0.68 s. With <paramref name="gop"/> ≥ 20 there is no keyframe left at all.
    /// </summary>
    public static void CutWithoutKeyframe(string whole, string cut, int gop = 10)
    {
        string g = gop.ToString(CultureInfo.InvariantCulture);
        Ffmpeg(["-f", "lavfi", "-i", "color=c=black:s=64x48:r=25", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
            "-vf", "format=yuv420p,geq=lum='if(between(X-2*N\\,0\\,7)\\,235\\,16)':cb=128:cr=128",
            "-frames:v", "20", "-t", "0.8", "-c:v", "libx264", "-g", g, "-keyint_min", g, "-sc_threshold", "0", "-bf", "0",
            .. Bt709Tags, "-c:a", "aac", whole]);
        Ffmpeg(["-i", whole, "-ss", "0.12", "-c", "copy", "-copyinkf", cut]);
    }
}
