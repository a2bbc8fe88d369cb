using System.CommandLine;
using HdrUp.Cli;
using HdrUp.Cli.Help;

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
    public void EveryCommandArgumentAndOption_IsDescribed_AndEveryHelpEntryIsUsed()
    {
        var root = HdrUpCli.BuildRoot();
        var undescribed = new List<string>();
        void Walk(Command command, string path)
        {
            if (string.IsNullOrWhiteSpace(command.Description)) undescribed.Add(path);
            foreach (var argument in command.Arguments)
                if (string.IsNullOrWhiteSpace(argument.Description)) undescribed.Add($"{path} {argument.Name}");
            foreach (var option in command.Options)
                if (string.IsNullOrWhiteSpace(option.Description)) undescribed.Add($"{path} {option.Name}");
            foreach (var sub in command.Subcommands) Walk(sub, $"{path} {sub.Name}");
        }
        Walk(root, "hdrup");
        Assert.Empty(undescribed);
        // Text no command asks for is stale: an option renamed or removed without its help.
        Assert.Empty(CliHelp.Unused());
    }

    [Fact]
    public void HelpText_IsFoundAtTheCommandThenAtItsParents_AndQuotesTheCodesFigures()
    {
        // 'bench speed --out' has no entry of its own: the bench-wide one applies to every bench subcommand.
        Assert.Equal(CliHelp.For("bench --out"), CliHelp.For("bench speed --out"));
        // convert and concat share one --transfer text at the root.
        Assert.Equal(CliHelp.For("convert --transfer"), CliHelp.For("concat --transfer"));
        // Commands and arguments are not inherited, and a missing entry is an error, not an empty description.
        Assert.Throws<InvalidOperationException>(() => CliHelp.For("bench speed no-such-argument"));
        Assert.Throws<InvalidOperationException>(() => CliHelp.For("convert --no-such-option"));
        // {Name} placeholders are the code's values.
        string precision = CliHelp.For("convert --precision");
        Assert.Contains($"at most {HdrUp.Conversion.PrecisionChoice.MaxPsnrLoss.ToString(System.Globalization.CultureInfo.InvariantCulture)} dB PSNR", precision);
        Assert.DoesNotContain("{PrecisionChoice", precision);
        Assert.Contains("kpnet-lean", CliHelp.For("bench ablation --variants"));
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
