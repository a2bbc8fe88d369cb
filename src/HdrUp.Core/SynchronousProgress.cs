namespace HdrUp.Core;

/// <summary>
/// IProgress that reports on the reporting thread, in order (Progress&lt;T&gt; posts to the thread pool, so lines lag
/// and can reorder). Reports from several threads are serialised.
/// </summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly object gate = new();

    public void Report(T value)
    {
        lock (gate) report(value);
    }
}
