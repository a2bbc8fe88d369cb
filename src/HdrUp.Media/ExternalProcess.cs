using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace HdrUp.Media;

/// <summary>
/// One running external program — ffmpeg and ffprobe (<see cref="Ffmpeg"/> finds them), and the package clients the
/// dataset samples step uses (apt-get, dpkg-deb, npm, tar). Started without a shell: arguments go through
/// <see cref="ProcessStartInfo.ArgumentList"/>, so file names need no quoting. stdout (and optionally stdin) are
/// raw streams; stderr is collected in the background with its last lines kept for one-line error messages; the
/// whole process tree is killed on cancellation or dispose, so that no orphan encoder keeps writing.
/// </summary>
public sealed class ExternalProcess : IDisposable
{
    private const int TailLines = 24;
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _exited;

    private ExternalProcess(Process process) => _process = process;

    /// <summary>Called for every stderr line (on a pool thread), before it enters the tail.</summary>
    private Action<string>? StderrLine { get; init; }

    public Stream Input => _process.StandardInput.BaseStream;
    public Stream Output => _process.StandardOutput.BaseStream;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// The last meaningful stderr line: with ffmpeg's <c>-loglevel level+…</c> the last specific "[error]"/"[fatal]"
    /// line if any (skipping ffmpeg's generic closing lines), else the last "[warning]" line, else the last line. Empty
    /// when the program said nothing.
    /// </summary>
    public string LastErrorLine
    {
        get
        {
            string[] lines;
            lock (_tail) lines = _tail.ToArray();
            var errors = lines.Where(l => l.Contains("[error]") || l.Contains("[fatal]") || l.Contains("[panic]")).ToList();
            string? pick = errors.LastOrDefault(l => !IsGeneric(l)) ?? errors.LastOrDefault()
                ?? lines.LastOrDefault(l => l.Contains("[warning]"))
                ?? lines.LastOrDefault();
            return pick is null ? "" : CleanLine(pick);
        }
    }

    /// <summary>The last non-blank stderr lines, oldest first.</summary>
    public IReadOnlyList<string> StderrTail
    {
        get { lock (_tail) return _tail.ToArray(); }
    }

    /// <summary>
    /// Starts <paramref name="executable"/> (a full path such as <see cref="Ffmpeg.FfmpegPath"/>, or a name looked up on
    /// PATH) with stdout, stderr and optionally stdin piped; <paramref name="stderrLine"/> sees every stderr line (on a
    /// pool thread).
    /// </summary>
    /// <exception cref="FileNotFoundException">The program could not be started (message names it).</exception>
    public static ExternalProcess Start(string executable, IEnumerable<string> arguments, bool redirectInput,
        Action<string>? stderrLine = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        var result = new ExternalProcess(process) { StderrLine = stderrLine };
        process.ErrorDataReceived += (_, e) => result.OnStderr(e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new FileNotFoundException($"{Path.GetFileName(executable)} could not be started: {e.Message} (is it installed and on PATH?)", executable, e);
        }
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>
    /// Runs a program to the end and returns its stdout. A non-zero exit becomes one <see cref="IOException"/> line:
    /// "<paramref name="what"/>: PROGRAM failed (exit N): REASON", the reason being <see cref="LastErrorLine"/> or what
    /// <paramref name="reason"/> makes of the stderr tail (for programs that end with a line that is not the reason).
    /// </summary>
    public static async Task<byte[]> RunAsync(string executable, IEnumerable<string> arguments, string what,
        string? workingDirectory = null, Func<IReadOnlyList<string>, string>? reason = null, CancellationToken cancellationToken = default)
    {
        using var process = Start(executable, arguments, redirectInput: false, workingDirectory: workingDirectory);
        var stdout = new MemoryStream();
        // Killing ends the pipe, so the copy itself needs no token.
        using (cancellationToken.Register(process.Kill))
            await process.Output.CopyToAsync(stdout, CancellationToken.None).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            string why = reason?.Invoke(process.StderrTail) ?? process.LastErrorLine;
            throw new IOException($"{what}: {Path.GetFileName(executable)} failed (exit {process.ExitCode}): {(why.Length > 0 ? why : "no message")}");
        }
        return stdout.ToArray();
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            _stderrClosed.TrySetResult();
            return;
        }
        StderrLine?.Invoke(line);
        // Per-frame timing lines and blank lines would push the real error out of the tail.
        if (line.Contains("Parsed_showinfo") || string.IsNullOrWhiteSpace(line))
            return;
        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > TailLines) _tail.Dequeue();
        }
    }

    /// <summary>Waits for exit (and for stderr to drain, so the tail is complete); kills on cancellation.</summary>
    public void WaitForExit(CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(Kill))
        {
            _process.WaitForExit();
            _stderrClosed.Task.Wait(StderrDrain);
        }
        _exited = true;
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary><see cref="WaitForExit"/> without blocking a thread.</summary>
    public async Task WaitForExitAsync(CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(Kill))
        {
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await Task.WhenAny(_stderrClosed.Task, Task.Delay(StderrDrain, CancellationToken.None)).ConfigureAwait(false);
        }
        _exited = true;
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static readonly TimeSpan StderrDrain = TimeSpan.FromSeconds(5);

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone: nothing to stop.
        }
    }

    public void Dispose()
    {
        if (!_exited)
        {
            Kill();
            try { _process.WaitForExit(5000); } catch (InvalidOperationException) { }
        }
        _process.Dispose();
    }

    /// <summary>
    /// ffmpeg's closing summaries ("Invalid data found when processing input", "Conversion failed!")
    /// follow the line that says what went wrong; that earlier line is the useful one.
    /// </summary>
    private static bool IsGeneric(string line) =>
        line.EndsWith("Invalid data found when processing input", StringComparison.Ordinal)
        || line.EndsWith("Conversion failed!", StringComparison.Ordinal)
        || line.Contains("Error opening input file", StringComparison.Ordinal)
        || line.Contains("Error opening output file", StringComparison.Ordinal)
        || line.Contains("Error initializing output stream", StringComparison.Ordinal)
        || line.Contains("Error while opening encoder", StringComparison.Ordinal);

    /// <summary>Strips "[context @ 0x…] [error] " prefixes so the message reads as plain text.</summary>
    internal static string CleanLine(string line)
    {
        string text = line.Trim();
        while (text.StartsWith('['))
        {
            int close = text.IndexOf(']');
            if (close < 0) break;
            text = text[(close + 1)..].TrimStart();
        }
        return text.Length == 0 ? line.Trim() : text;
    }
}
