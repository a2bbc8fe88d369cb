using HdrUp.Cli;

namespace HdrUp.Cli.Tests;

public class HelpTests
{
    [Fact]
    public async Task RootHelp_DescribesTheProgram_AndExitsZero()
    {
        var output = new StringWriter();
        int code = await HdrUpCli.RunAsync(["--help"], output);
        Assert.Equal(0, code);
        Assert.Contains("HDR10", output.ToString());
    }

    [Fact]
    public async Task UnknownCommand_FailsWithNonZeroExit()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await HdrUpCli.RunAsync(["no-such-command"], output, error);
        Assert.NotEqual(0, code);
    }
}
