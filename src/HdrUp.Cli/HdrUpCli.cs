using System.CommandLine;
using HdrUp.Cli.Commands;
using HdrUp.Cli.Help;

namespace HdrUp.Cli;

/// <summary>Builds the <c>hdrup</c> command tree and runs it; tests call this in-process.</summary>
public static class HdrUpCli
{
    public static RootCommand BuildRoot()
    {
        // The commands in the order 'hdrup --help' lists them.
        var root = new RootCommand(CliHelp.For("hdrup"))
        {
            ConvertCommand.Create(), ConcatCommand.Create(), EvalCommand.Create(), DatasetCommand.Create(), TrainCommand.Create(),
            ModelCommand.Create(), BenchCommand.Create(),
        };
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var root = BuildRoot();
        // Ctrl-C cancels the token; the commands then finish the frame or training step in hand and
        // save it, which on two CPU cores can take far longer than System.CommandLine's default 2 s.
        var config = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(3) };
        if (output is not null) config.Output = output;
        if (error is not null) config.Error = error;
        return await root.Parse(args).InvokeAsync(config);
    }
}
