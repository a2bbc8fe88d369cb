using System.CommandLine;
using HdrUp.Core;
using Spectre.Console;

namespace HdrUp.Cli;

/// <summary>
/// What every command action gets: the console to draw on (the invocation's writers, so tests can
/// capture it) and the one place where failures become a single error line and an exit code.
/// </summary>
internal sealed class CliRuntime
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitCancelled = 130;

    private CliRuntime(IAnsiConsole console, TextWriter error)
    {
        Console = console;
        Error = error;
    }

    public IAnsiConsole Console { get; }
    public TextWriter Error { get; }

    public static CliRuntime From(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        bool interactive = ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        return new CliRuntime(console, error);
    }

    /// <summary>The progress display of long jobs: description, bar, percentage, elapsed and remaining time.</summary>
    public Progress Progress() => Console.Progress()
        .AutoClear(false)
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
            new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn());

    /// <summary>A job's log line, printed as plain text.</summary>
    public void Log(string line) => Console.MarkupLine(Markup.Escape(line));

    /// <summary>A summary: one label and one value a row, no header.</summary>
    public void WriteRows(IEnumerable<(string Label, string Value)> rows)
    {
        var table = new Table().HideHeaders().AddColumn("").AddColumn("");
        foreach (var (label, value) in rows) table.AddRow(Markup.Escape(label), Markup.Escape(value));
        Console.Write(table);
    }

    /// <summary>Draws a job's <see cref="TextTable"/>, then its notes.</summary>
    public void Write(TextTable source)
    {
        var table = new Table();
        if (source.Title is { } title) table.Title(Markup.Escape(title));
        for (int c = 0; c < source.Headers.Count; c++)
        {
            var column = new TableColumn(Markup.Escape(source.Headers[c]));
            table.AddColumn(source.IsRightAligned(c) ? column.RightAligned() : column);
        }
        foreach (var (cells, emphasis) in source.Rows)
            table.AddRow(cells.Select(cell => emphasis ? $"[bold]{Markup.Escape(cell)}[/]" : Markup.Escape(cell)).ToArray());
        Console.Write(table);
        foreach (string note in source.Notes) Console.WriteLine(note);
    }

    /// <summary>Runs <paramref name="work"/> under a progress display with one task, fed by the progress it is given.</summary>
    public T WithProgress<T>(string description, Func<IProgress<(long Done, long Total)>, T> work)
    {
        T result = default!;
        Progress().Start(context =>
        {
            var task = context.AddTask(Markup.Escape(description), maxValue: 1);
            result = work(new SynchronousProgress<(long Done, long Total)>(p => (task.MaxValue, task.Value) = (Math.Max(1, p.Total), p.Done)));
            task.Value = task.MaxValue;
        });
        return result;
    }

    public void Fail(string message) => Error.WriteLine($"hdrup: error: {message}");

    public void Warn(string message) => Error.WriteLine($"hdrup: warning: {message}");

    /// <summary>
    /// Runs an action so that a bad input or a Ctrl-C ends in one line and a non-zero exit code,
    /// never a stack trace (set HDRUP_DEBUG=1 to see one).
    /// </summary>
    public static void SetGuardedAction(Command command, Func<ParseResult, CliRuntime, CancellationToken, Task<int>> run)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            var runtime = From(parse);
            try
            {
                return await run(parse, runtime, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                runtime.Fail("cancelled; finished work is kept and the same command resumes it.");
                return ExitCancelled;
            }
            catch (Exception ex) when (IsUserFacing(Unwrap(ex)))
            {
                runtime.Fail(Unwrap(ex).Message);
                if (DebugRequested) runtime.Error.WriteLine(ex);
                return ExitFailure;
            }
            catch (Exception ex)
            {
                runtime.Fail($"internal error ({ex.GetType().Name}): {ex.Message}");
                if (DebugRequested) runtime.Error.WriteLine(ex);
                else runtime.Error.WriteLine("hdrup: run with HDRUP_DEBUG=1 for details, and please report it.");
                return ExitFailure;
            }
        });
    }

    private static bool DebugRequested => Environment.GetEnvironmentVariable("HDRUP_DEBUG") is "1" or "true";

    // Parallel loaders wrap a bad file's error in an AggregateException; the user needs that one line, not the wrapper.
    private static Exception Unwrap(Exception ex) => ex is AggregateException a && a.Flatten().InnerExceptions is [var inner] ? inner : ex;

    private static bool IsUserFacing(Exception ex) => ex is IOException or InvalidDataException
        or UnauthorizedAccessException or ArgumentException or NotSupportedException or FormatException;
}
