using System.Diagnostics;
using System.Text;

namespace HdrUp.Media;

/// <summary>
/// Locates ffmpeg and ffprobe and runs them without a shell: arguments go through
/// <see cref="ProcessStartInfo.ArgumentList"/>, so file names need no quoting.
/// Lookup order: the <c>HDRUP_FFMPEG</c> / <c>HDRUP_FFPROBE</c> environment variables (a full path),
/// then every directory of <c>PATH</c>.
/// </summary>
public static class Ffmpeg
{
    public const string FfmpegVariable = "HDRUP_FFMPEG";
    public const string FfprobeVariable = "HDRUP_FFPROBE";

    /// <summary>Full path of ffmpeg; throws <see cref="FileNotFoundException"/> with the install command when absent.</summary>
    public static string FfmpegPath => Find("ffmpeg", FfmpegVariable);

    /// <summary>Full path of ffprobe; throws <see cref="FileNotFoundException"/> with the install command when absent.</summary>
    public static string FfprobePath => Find("ffprobe", FfprobeVariable);

    /// <summary>
    /// Resolves a tool: the environment variable wins (and must name an existing file), otherwise
    /// the first executable of that name on PATH.
    /// </summary>
    public static string Find(string tool, string environmentVariable)
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(environmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            if (File.Exists(fromEnvironment))
                return Path.GetFullPath(fromEnvironment);
            throw new FileNotFoundException(
                $"{tool} not found: {environmentVariable}={fromEnvironment} does not exist", fromEnvironment);
        }
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (directory.Length == 0) continue;
            string candidate = Path.Combine(directory, OperatingSystem.IsWindows() ? tool + ".exe" : tool);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException(
            $"{tool} not found: install it with apt-get install ffmpeg (or set {environmentVariable})", tool);
    }

    /// <summary>
    /// Runs ffprobe (or ffmpeg) to completion and returns its standard output as text.
    /// A non-zero exit becomes a <see cref="FfmpegException"/> carrying the stderr tail.
    /// </summary>
    public static string RunToString(string executable, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        using var process = FfmpegProcess.Start(executable, arguments, redirectInput: false);
        using var reader = new StreamReader(process.Output, Encoding.UTF8);
        string text;
        using (cancellationToken.Register(process.Kill))
            text = reader.ReadToEnd();
        process.WaitForExit(cancellationToken);
        if (process.ExitCode != 0)
            throw new FfmpegException(process.ExitCode, process.LastErrorLine);
        return text;
    }
}

/// <summary>ffmpeg or ffprobe exited with an error; <see cref="LastErrorLine"/> is its last stderr message.</summary>
public sealed class FfmpegException(int exitCode, string lastErrorLine)
    : IOException($"ffmpeg exited with code {exitCode}: {lastErrorLine}")
{
    public int ExitCode { get; } = exitCode;
    public string LastErrorLine { get; } = lastErrorLine;
}

/// <summary>
/// One running ffmpeg/ffprobe: raw stdin/stdout streams, stderr collected in the background
/// (the last lines kept for error messages), and a kill of the whole process tree on dispose or
/// cancellation so that no orphan encoder keeps writing.
/// </summary>
public sealed class FfmpegProcess : IDisposable
{
    private const int TailLines = 24;
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _exited;

    private FfmpegProcess(Process process) => _process = process;

    /// <summary>Called for every stderr line (on a pool thread), before it enters the tail.</summary>
    private Action<string>? StderrLine { get; init; }

    public Stream Input => _process.StandardInput.BaseStream;
    public Stream Output => _process.StandardOutput.BaseStream;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// The last meaningful stderr line: with <c>-loglevel level+…</c> the last specific "[error]"/"[fatal]"
    /// line if any (skipping ffmpeg's generic closing lines), else the last "[warning]" line, else the last line. Empty when ffmpeg said nothing.
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

    public IReadOnlyList<string> StderrTail
    {
        get { lock (_tail) return _tail.ToArray(); }
    }

    /// <summary>
    /// Starts <paramref name="executable"/> (see <see cref="Ffmpeg.FfmpegPath"/>) with stdout, stderr and
    /// optionally stdin piped; <paramref name="stderrLine"/> sees every stderr line (on a pool thread).
    /// </summary>
    public static FfmpegProcess Start(string executable, IEnumerable<string> arguments, bool redirectInput, Action<string>? stderrLine = null)
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
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        var result = new FfmpegProcess(process) { StderrLine = stderrLine };
        process.ErrorDataReceived += (_, e) => result.OnStderr(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new FileNotFoundException($"{Path.GetFileName(executable)} could not be started: {e.Message}", executable, e);
        }
        process.BeginErrorReadLine();
        return result;
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            _stderrClosed.TrySetResult();
            return;
        }
        StderrLine?.Invoke(line);
        if (line.Contains("Parsed_showinfo"))
            return; // per-frame timing lines would push the real error out of the tail
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
            _stderrClosed.Task.Wait(TimeSpan.FromSeconds(5));
        }
        _exited = true;
        cancellationToken.ThrowIfCancellationRequested();
    }

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
