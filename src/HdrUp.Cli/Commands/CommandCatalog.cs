using System.CommandLine;

namespace HdrUp.Cli.Commands;

/// <summary>Every top-level command, in the order <c>hdrup --help</c> lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return ConvertCommand.Create();
        yield return ConcatCommand.Create();
        yield return EvalCommand.Create();
        yield return DatasetCommand.Create();
        yield return TrainCommand.Create();
        yield return ModelCommand.Create();
        yield return BenchCommand.Create();
    }
}
