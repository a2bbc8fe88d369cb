using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace HdrUp.Training.Dataset;

/// <summary>
/// Runs the external clients the dataset builder relies on (ffmpeg, apt-get, dpkg-deb, npm) and
/// turns their failures into one-line .NET exceptions. A missing program becomes an
/// <see cref="IOException"/> that names it; a non-zero exit becomes one that quotes the last
/// meaningful line the program printed on stderr.
/// </summary>
public static class ExternalProcess
{
    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr);

    /// <summary>Runs a program to the end, capturing stdout as bytes. Throws when it exits non-zero.</summary>
    public static async Task<Result> RunAsync(string program, IEnumerable<string> args, string what,
        string? workingDirectory = null, CancellationToken cancellationToken = default, Func<string, string>? reason = null)
    {
        using var process = Start(program, args, workingDirectory, redirectStdin: false);
        var stdout = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout, cancellationToken);
        var readErr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await Task.WhenAll(copyOut, readErr).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }
        var result = new Result(process.ExitCode, stdout.ToArray(), await readErr.ConfigureAwait(false));
        if (result.ExitCode != 0)
            throw new IOException($"{what}: {program} failed (exit {result.ExitCode}): {(reason ?? LastLine)(result.Stderr)}");
        return result;
    }

    public static Process Start(string program, IEnumerable<string> args, string? workingDirectory, bool redirectStdin)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        foreach (var a in args) info.ArgumentList.Add(a);
        try
        {
            return Process.Start(info) ?? throw new IOException($"Could not start {program}.");
        }
        catch (Win32Exception ex)
        {
            throw new IOException($"{program} is not installed or not on PATH ({ex.Message}); the dataset builder needs it.", ex);
        }
    }

    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>The last non-empty stderr line: ffmpeg and apt put the actual reason there.</summary>
    public static string LastLine(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no message)" : lines[^1];
    }
}

/// <summary>
/// A long-running ffmpeg that reads raw frames on stdin, so that a whole split goes through one
/// process (spawning ffmpeg per 256×256 frame would cost more than the encoding itself).
/// </summary>
public sealed class FfmpegSink : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;
    private readonly Stream _stdin;
    private readonly string _what;
    private bool _completed;

    public FfmpegSink(IEnumerable<string> args, string what)
    {
        _what = what;
        _process = ExternalProcess.Start("ffmpeg", args, null, redirectStdin: true);
        _stderr = _process.StandardError.ReadToEndAsync();
        _ = _process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        _stdin = _process.StandardInput.BaseStream;
    }

    public int FramesWritten { get; private set; }

    public async Task WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        try
        {
            await _stdin.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // A broken pipe means ffmpeg died: report its reason rather than EPIPE.
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw new IOException($"{_what}: ffmpeg stopped early: {ExternalProcess.LastLine(await _stderr.ConfigureAwait(false))}");
        }
        FramesWritten++;
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        _completed = true;
        await _stdin.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            ExternalProcess.Kill(_process);
            throw;
        }
        string err = await _stderr.ConfigureAwait(false);
        if (_process.ExitCode != 0)
            throw new IOException($"{_what}: ffmpeg failed (exit {_process.ExitCode}): {ExternalProcess.LastLine(err)}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            ExternalProcess.Kill(_process);
            try { await _stdin.DisposeAsync().ConfigureAwait(false); } catch (IOException) { }
        }
        _process.Dispose();
    }
}
