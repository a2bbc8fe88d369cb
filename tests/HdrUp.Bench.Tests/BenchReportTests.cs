using HdrUp.Bench.Reports;

namespace HdrUp.Bench.Tests;

public sealed class BenchReportTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hdrup-report-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    // Two benches started in the same minute (session 9 lost a report this way): each gets its own name, and a written
    // report keeps its name taken; the claim files are gone once the reports are written.
    [Fact]
    public void Benches_started_together_get_names_of_their_own()
    {
        var at = new DateTime(2026, 11, 30, 4, 1, 30, DateTimeKind.Utc);
        string first = BenchReport.Stem(dir, "quality", at), second = BenchReport.Stem(dir, "quality", at);
        Assert.Equal(Path.Combine(dir, "quality-20261130-0401"), first);
        Assert.Equal(first + "-2", second);
        BenchReport.Write(first, "# one", ("csv", "a\n"));
        BenchReport.Write(second, "# two", ("csv", "b\n"));
        Assert.Equal("# one", File.ReadAllText(first + ".md"));
        Assert.Equal("# two", File.ReadAllText(second + ".md"));
        Assert.Empty(Directory.GetFiles(dir, ".*.claim"));
        Assert.Equal(first + "-3", BenchReport.Stem(dir, "quality", at));
    }

    // A bench that fails after taking its name (bad --data, Ctrl-C) writes no report; its claim goes when the process ends
    // (ReleaseClaims is what the exit hook runs), so the reports folder keeps no hidden file and the name is free again.
    [Fact]
    public void An_unwritten_claim_is_released()
    {
        var at = new DateTime(2026, 11, 30, 5, 24, 0, DateTimeKind.Utc);
        string stem = BenchReport.Stem(dir, "quality", at);
        Assert.Single(Directory.GetFiles(dir, ".*.claim"));
        BenchReport.ReleaseClaims();
        Assert.Empty(Directory.GetFiles(dir, ".*.claim"));
        Assert.Equal(stem, BenchReport.Stem(dir, "quality", at));
    }
}
