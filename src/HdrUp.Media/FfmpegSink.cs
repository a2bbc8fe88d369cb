namespace HdrUp.Media;

/// <summary>
/// A long-running ffmpeg (<see cref="Ffmpeg.FfmpegPath"/>) that reads raw frames on stdin, so that a whole batch goes
/// through one process (spawning ffmpeg per 256×256 dataset frame would cost more than the encoding itself).
/// Errors are one line starting with the caller's <c>what</c>; disposing without <see cref="CompleteAsync"/> kills it.
/// </summary>
public sealed class FfmpegSink : IAsyncDisposable
{
    private readonly ExternalProcess _process;
    private readonly string _what;
    private bool _completed;

    public FfmpegSink(IEnumerable<string> arguments, string what)
    {
        _what = what;
        _process = ExternalProcess.Start(Ffmpeg.FfmpegPath, arguments, redirectInput: true);
        // Nothing is expected on stdout, but a full pipe would stall ffmpeg.
        _ = _process.Output.CopyToAsync(Stream.Null);
    }

    public int FramesWritten { get; private set; }

    public async Task WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        try
        {
            await _process.Input.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // A broken pipe means ffmpeg died: report its reason rather than EPIPE.
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw new IOException($"{_what}: ffmpeg stopped early: {Reason()}");
        }
        FramesWritten++;
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        _completed = true;
        await _process.Input.DisposeAsync().ConfigureAwait(false);
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (_process.ExitCode != 0)
            throw new IOException($"{_what}: ffmpeg failed (exit {_process.ExitCode}): {Reason()}");
    }

    private string Reason() => _process.LastErrorLine is { Length: > 0 } line ? line : "no message";

    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            _process.Kill();
            try { await _process.Input.DisposeAsync().ConfigureAwait(false); } catch (IOException) { }
        }
        _process.Dispose();
    }
}
