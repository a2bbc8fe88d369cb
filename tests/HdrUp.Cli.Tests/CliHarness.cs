using System.Diagnostics;

namespace HdrUp.Cli.Tests;

/// <summary>Runs hdrup in-process and makes small real media files with ffmpeg.</summary>
internal static class CliHarness
{
    public sealed record Outcome(int ExitCode, string Output, string Error);

    public static async Task<Outcome> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await HdrUpCli.RunAsync(args, output, error);
        return new Outcome(code, output.ToString(), error.ToString());
    }

    public static string TempFolder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "hdrup-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// A short BT.709-tagged H.264 + AAC clip: moving test pattern, 1 kHz tone. <paramref name="gop"/>:
    /// a keyframe every that many frames (x264's -g), for tests that split a clip at keyframes.
    /// </summary>
    public static string MakeSdrClip(string folder, int width = 64, int height = 48, int frames = 8, int? gop = null)
    {
        string path = Path.Combine(folder, "clip.mp4");
        string[] keyframes = gop is int g ? ["-g", g.ToString(), "-keyint_min", g.ToString(), "-sc_threshold", "0"] : [];
        Ffmpeg(["-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
            "-frames:v", frames.ToString(), "-t", (frames / 25.0).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p",
            "-c:v", "libx264", "-crf", "20", .. keyframes, "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
            "-c:a", "aac", "-shortest", path]);
        return path;
    }

    public static string Ffmpeg(params string[] args)
    {
        var all = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin", "-y" };
        all.AddRange(args);
        return RunTool("ffmpeg", all);
    }

    public static string Ffprobe(params string[] args) =>
        RunTool("ffprobe", ["-v", "error", .. args]);

    private static string RunTool(string tool, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} failed: {stderr}");
        return stdoutTask.Result;
    }
}
