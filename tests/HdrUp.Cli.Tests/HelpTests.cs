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
    public async Task ConvertHelp_SaysHowInputsAreRead()
    {
        var output = new StringWriter();
        int code = await HdrUpCli.RunAsync(["convert", "--help"], output);
        string help = System.Text.RegularExpressions.Regex.Replace(output.ToString(), @"\s+", " ");
        Assert.Equal(0, code);
        Assert.Contains("turned (and mirrored) as its display matrix says, the output stored upright", help);
        Assert.Contains("--deinterlace <Field|Frame>", help);
        Assert.Contains("--keep-sar", help);
        Assert.Contains("(yuvj formats are full)", help);
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
