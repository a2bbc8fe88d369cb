using System.Text;

namespace HdrUp.Media;

/// <summary>
/// Locates ffmpeg and ffprobe; <see cref="ExternalProcess"/> runs them.
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
    /// Runs ffmpeg (<see cref="FfmpegPath"/>, so <c>HDRUP_FFMPEG</c> applies) to completion; see
    /// <see cref="ExternalProcess.RunAsync"/> for the errors.
    /// </summary>
    public static Task<byte[]> RunAsync(IEnumerable<string> arguments, string what, CancellationToken cancellationToken = default) =>
        ExternalProcess.RunAsync(FfmpegPath, arguments, what, cancellationToken: cancellationToken);

    /// <summary>
    /// Runs ffprobe (or ffmpeg) to completion and returns its standard output as text.
    /// A non-zero exit becomes a <see cref="FfmpegException"/> carrying the stderr tail.
    /// </summary>
    public static string RunToString(string executable, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        using var process = ExternalProcess.Start(executable, arguments, redirectInput: false);
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
