using System.Diagnostics;
using System.Text;

namespace HdrUp.Media.Tests;

public class ExternalProcessTests
{
    [Fact]
    public async Task Run_returns_stdout_and_runs_in_the_working_directory()
    {
        using var temp = new TempFolder();
        byte[] output = await ExternalProcess.RunAsync("sh", ["-c", "printf '%s|' \"$1\"; pwd", "sh", "a name with spaces"], "pwd", temp.Path);
        Assert.Equal($"a name with spaces|{temp.Path}\n", Encoding.UTF8.GetString(output));
    }

    [Fact]
    public async Task Failure_is_one_line_with_what_the_program_the_exit_code_and_the_last_stderr_line()
    {
        // The blank line after the reason is not taken for it.
        var e = await Assert.ThrowsAsync<IOException>(() => ExternalProcess.RunAsync("sh",
            ["-c", "echo progress >&2; echo 'disk full' >&2; echo >&2; exit 3"], "frames/0001.png"));
        Assert.Equal("frames/0001.png: sh failed (exit 3): disk full", e.Message);
    }

    [Fact]
    public async Task A_reason_function_sees_the_stderr_tail()
    {
        // npm ends with the path of its log; the reason is earlier.
        var e = await Assert.ThrowsAsync<IOException>(() => ExternalProcess.RunAsync("sh",
            ["-c", "echo 'npm error 404 Not Found' >&2; echo 'npm error A complete log: /x.log' >&2; exit 1"], "@pmndrs/assets",
            reason: tail => tail[0]));
        Assert.Equal("@pmndrs/assets: sh failed (exit 1): npm error 404 Not Found", e.Message);
    }

    [Fact]
    public async Task A_missing_program_is_named()
    {
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => ExternalProcess.RunAsync("hdrup-no-such-tool", [], "x"));
        Assert.StartsWith("hdrup-no-such-tool could not be started: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task Cancellation_kills_the_whole_process_tree()
    {
        using var temp = new TempFolder();
        string pidFile = temp.File("child.pid");
        using var cts = new CancellationTokenSource();
        var stopwatch = Stopwatch.StartNew();
        // sh starts a grandchild and waits for it: only a tree kill stops the sleep.
        var run = ExternalProcess.RunAsync("sh", ["-c", $"sleep 60 & echo $! > '{pidFile}'; wait"], "sleeper", cancellationToken: cts.Token);
        while (!File.Exists(pidFile) || File.ReadAllText(pidFile).Trim().Length == 0)
            await Task.Delay(20);
        int child = int.Parse(File.ReadAllText(pidFile).Trim());
        Assert.True(Alive(child));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"took {stopwatch.Elapsed}");
        for (int i = 0; i < 100 && Alive(child); i++) await Task.Delay(20);
        Assert.False(Alive(child), $"grandchild {child} still running");
    }

    // A killed process whose parent is gone may stay a zombie until it is reaped; that is not running.
    private static bool Alive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Ffmpeg_sink_failure_names_the_job_and_quotes_ffmpeg()
    {
        using var temp = new TempFolder();
        var e = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await using var sink = new FfmpegSink(
                ["-hide_banner", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "16x16", "-i", "-",
                 "-c:v", "hdrup-no-such-encoder", temp.File("x.mkv")], "test x265 qp37");
            await sink.WriteAsync(new byte[3 * 16 * 16], CancellationToken.None);
            await sink.CompleteAsync(CancellationToken.None);
        });
        // Whether the pipe broke first or the exit code was read, the line names the job and ffmpeg's reason.
        Assert.StartsWith("test x265 qp37: ffmpeg ", e.Message);
        Assert.Contains("hdrup-no-such-encoder", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(File.Exists(temp.File("x.mkv")));
    }
}
