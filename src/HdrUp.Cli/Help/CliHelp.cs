using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using System.Reflection;
using HdrUp.Bench.Ablation;
using HdrUp.Conversion;

namespace HdrUp.Cli.Help;

/// <summary>
/// The help text of every command, argument and option, kept in one file (help.txt, embedded) so the command files are
/// wiring and the words a user reads can be reviewed in one place. An option's text is looked up at its command, then at
/// each parent; a key with no text is an error when the command tree is built, so nothing ships undescribed.
/// </summary>
internal static class CliHelp
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Entries = new(Load);
    private static readonly ConcurrentDictionary<string, bool> Used = new();

    /// <summary>Figures the text quotes from the code, so the help cannot fall behind them.</summary>
    private static IReadOnlyDictionary<string, string> Values => new Dictionary<string, string>
    {
        ["PrecisionChoice.MaxPsnrLoss"] = PrecisionChoice.MaxPsnrLoss.ToString(CultureInfo.InvariantCulture),
        ["PrecisionChoice.MaxDeltaEItpLoss"] = PrecisionChoice.MaxDeltaEItpLoss.ToString(CultureInfo.InvariantCulture),
        ["PrecisionChoice.TestCrops"] = PrecisionChoice.TestCrops.ToString(CultureInfo.InvariantCulture),
        ["MemoryBudget.DefaultCap"] = MemoryBudget.Format(MemoryBudget.DefaultCap),
        ["AblationCatalog.Keys"] = string.Join(", ", AblationCatalog.All.Select(v => v.Key)),
    };

    /// <summary>The text of <paramref name="key"/> ("convert", "convert --crf", "bench quality"), or of the same name at a parent.</summary>
    public static string For(string key)
    {
        string[] parts = key.Split(' ');
        string name = parts[^1];
        for (int depth = parts.Length - 1; depth >= 0; depth--)
        {
            string candidate = depth == parts.Length - 1 ? key : string.Join(' ', parts[..depth].Append(name));
            if (Entries.Value.TryGetValue(candidate, out string? text))
            {
                Used[candidate] = true;
                return text;
            }
            if (!name.StartsWith('-')) break;   // commands and arguments are never inherited
        }
        throw new InvalidOperationException($"help.txt has no text for '{key}'");
    }

    /// <summary>Entries no command asked for since the tree was built: stale text.</summary>
    public static IEnumerable<string> Unused() => Entries.Value.Keys.Where(k => !Used.ContainsKey(k));

    private static IReadOnlyDictionary<string, string> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("HdrUp.Cli.Help.help.txt")
                           ?? throw new InvalidOperationException("help.txt is not embedded in hdrup");
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        var values = Values;
        string? key = null;
        var text = new List<string>();
        void Flush()
        {
            if (key is null) return;
            string joined = string.Join(' ', text);
            foreach (var (name, value) in values) joined = joined.Replace("{" + name + "}", value, StringComparison.Ordinal);
            if (!entries.TryAdd(key, joined)) throw new InvalidOperationException($"help.txt: '{key}' twice");
            text.Clear();
        }
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith('#') && key is null) continue;
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                Flush();
                key = line[1..^1];
            }
            else if (line.Trim().Length > 0) text.Add(line.Trim());
        }
        Flush();
        return entries;
    }
}

/// <summary>Builds one command: its description and each option's from <see cref="CliHelp"/>, options added as they are made.</summary>
internal sealed class CommandBuilder(string path)
{
    public Command Command { get; } = new(path.Split(' ')[^1], CliHelp.For(path));

    public Option<T> Option<T>(string name, params string[] aliases) => Add(new Option<T>(name, aliases));

    public Option<T> Option<T>(string name, Func<T> defaultValue) => Add(new Option<T>(name) { DefaultValueFactory = _ => defaultValue() });

    public Option<T> Required<T>(string name, params string[] aliases) => Add(new Option<T>(name, aliases) { Required = true });

    /// <summary>Adds <paramref name="option"/>, describing it unless it already is (an option shared by subcommands).</summary>
    public TOption Add<TOption>(TOption option) where TOption : Option
    {
        option.Description ??= CliHelp.For($"{path} {option.Name}");
        Command.Options.Add(option);
        return option;
    }

    public Argument<T> Argument<T>(string name, ArgumentArity? arity = null)
    {
        var argument = new Argument<T>(name) { Description = CliHelp.For($"{path} {name}") };
        if (arity is { } a) argument.Arity = a;
        Command.Arguments.Add(argument);
        return argument;
    }

    public CommandBuilder Subcommand(string name, Action<CommandBuilder> build)
    {
        var sub = new CommandBuilder($"{path} {name}");
        build(sub);
        Command.Subcommands.Add(sub.Command);
        return this;
    }

    public Command Action(Func<ParseResult, CliRuntime, CancellationToken, Task<int>> run)
    {
        CliRuntime.SetGuardedAction(Command, run);
        return Command;
    }

    public Command Action(Func<ParseResult, CliRuntime, CancellationToken, int> run) =>
        Action((parse, runtime, ct) => Task.FromResult(run(parse, runtime, ct)));
}
