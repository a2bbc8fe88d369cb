using HdrUp.TestSupport;
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

    public static string TempFolder() => ScratchFolders.Create();

    /// <summary>A short BT.709-tagged H.264 + AAC clip (<see cref="TestClips.SdrClip"/>).</summary>
    public static string MakeSdrClip(string folder, int width = 64, int height = 48, int frames = 8, int? gop = null) =>
        TestClips.SdrClip(folder, width, height, frames, gop);

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
