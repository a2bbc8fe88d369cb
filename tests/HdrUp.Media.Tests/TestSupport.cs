using System.Diagnostics;
using System.Text;

namespace HdrUp.Media.Tests;

/// <summary>Paths of the repository's files the tests read.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Sample => Path.Combine(Root, "samples", "city.mp4");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "samples", "city.mp4")) && File.Exists(Path.Combine(dir.FullName, "HdrUp.sln")))
                return dir.FullName;   // not the binaries' folder, which holds a copy of the sample for int8 calibration
        throw new FileNotFoundException("HdrUp.sln and samples/city.mp4 not found above the test binaries");
    }
}

/// <summary>A fresh folder per test, deleted afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hdrup-media-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// Runs the real ffmpeg/ffprobe the library uses to build synthetic inputs and to inspect outputs
/// independently of the code under test.
/// </summary>
internal static class Cli
{
    public static string Ffmpeg(params string[] arguments) => Run(HdrUp.Media.Ffmpeg.FfmpegPath, null, arguments);

    public static string Ffprobe(params string[] arguments) => Run(HdrUp.Media.Ffmpeg.FfprobePath, null, arguments);

    /// <summary>Runs ffmpeg with <paramref name="input"/> on stdin, returning stdout bytes.</summary>
    public static byte[] FfmpegBytes(byte[]? input, params string[] arguments) =>
        FfmpegBytesWith(HdrUp.Media.Ffmpeg.FfmpegPath, input, arguments);

    private static string Run(string exe, byte[]? input, string[] arguments)
    {
        byte[] bytes = FfmpegBytesWith(exe, input, arguments);
        return Encoding.UTF8.GetString(bytes);
    }

    private static byte[] FfmpegBytesWith(string exe, byte[]? input, string[] arguments)
    {
        var info = new ProcessStartInfo(exe)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var output = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(output);
        if (input is not null) p.StandardInput.BaseStream.Write(input);
        p.StandardInput.Close();
        copy.Wait();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(exe)} {string.Join(' ', arguments)} failed: {stderr.Result}");
        return output.ToArray();
    }

    /// <summary>
    /// Encodes interleaved 8-bit RGB frames to a lossless H.264 4:4:4 clip whose Y'CbCr comes from
    /// <paramref name="matrix"/> (scale filter name), tagged with <paramref name="tag"/> (null: untagged).
    /// Lossless 4:4:4 leaves only the 8-bit Y'CbCr rounding between the known RGB and the decoded RGB.
    /// </summary>
    public static void EncodeKnownRgb(string path, byte[] rgb24Frames, int width, int height, string matrix, string? tag, string range = "tv")
    {
        var args = new List<string>
        {
            "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-video_size", $"{width}x{height}",
            "-framerate", "25", "-i", "pipe:0",
            "-vf", $"scale=out_color_matrix={matrix}:out_range={range}:flags=accurate_rnd+full_chroma_int,format=yuv444p",
            "-c:v", "libx264", "-qp", "0", "-preset", "ultrafast",
        };
        if (tag is not null)
            args.AddRange(["-colorspace", tag, "-color_range", range]);
        args.Add(path);
        FfmpegBytes(rgb24Frames, [.. args]);
    }
}
