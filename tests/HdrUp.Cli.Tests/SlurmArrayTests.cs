using System.Diagnostics;

namespace HdrUp.Cli.Tests;

/// <summary>
/// deploy/slurm's job array on a real Slurm: deploy/slurm/local-test.sh (what <c>./dev.sh slurm</c>
/// runs) starts a one-node Slurm 22.05 cluster in a scratch folder, submits the unchanged
/// hdrup-segments.sbatch (4 array tasks) and hdrup-concat.sbatch (afterok), and checks the joined
/// file against a single convert, frame for frame and byte for byte; then a task requeued while it
/// runs, a task cancelled and requeued (both resume from their cache and give the same file), and a
/// failed task (the concat never starts; FAILED in sacct). The script stops its daemons and removes
/// its folder on every exit. Here it maps with bt2446a, the cheapest mapping (about 2 minutes);
/// ./dev.sh slurm runs the same steps with the fast network.
/// </summary>
public class SlurmArrayTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(20);

    [SlurmFact]
    public void SegmentArray_AndConcat_OnALocalSlurmCluster_EqualOneConvert_ThroughRequeuedCancelledAndFailedTasks()
    {
        string root = SlurmFactAttribute.RepoRoot();
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(root, "deploy", "slurm", "local-test.sh"));
        // The hdrup this test project was built with (its output folder holds hdrup.dll and its runtimeconfig).
        start.Environment["HDRUP"] = $"dotnet {Path.Combine(AppContext.BaseDirectory, "hdrup.dll")}";
        start.Environment["CONVERT_OPTS"] = "--method bt2446a";
        start.Environment["SEGMENTS"] = "4";
        start.Environment["TIMEOUT"] = "600";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            // SIGTERM, not Kill(): the script's trap must stop the daemons it started.
            Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
            process.WaitForExit(TimeSpan.FromMinutes(1));
            Assert.Fail($"local-test.sh took longer than {Limit.TotalMinutes} minutes:\n{stdout.Result}{stderr.Result}");
        }
        string log = stdout.Result + stderr.Result;

        Assert.True(process.ExitCode == 0, log);
        // The script fails on any deviation; these lines say each case was reached and checked.
        Assert.Matches(@"A: all 4 tasks and the concat COMPLETED .*; 75 decoded frames identical \(framemd5\), byte-identical", log);
        Assert.Matches(@"B: task 2 restarted once and resumed \([1-9][0-9]* from the previous run\); concat ran on its own.*byte-identical", log);
        Assert.Matches(@"C: task 3 resumed \([1-9][0-9]* from the previous run\).*byte-identical", log);
        Assert.Contains("D: task 2 FAILED 1:0: hdrup: error: part-002.mkv: already exists and is not segment 2/4 of this job", log);
        Assert.Contains("Reason=DependencyNeverSatisfied, never started", log);
        Assert.Matches(@"hdrup-segment +FAILED +1:0 .*= \d+_2", log);
        Assert.Matches(@"slurm: \[ *\d+s\] passed: array \+ concat byte-identical to a single convert", log);
    }
}

/// <summary>
/// A fact that runs where Slurm can be had: slurm-wlm and munge installed, or installable from apt
/// (root, or sudo without a password). The daemons themselves run as the current user, so nothing
/// else needs root. Elsewhere the test is skipped with the reason.
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (WhyNot() is string reason) Skip = reason;
    }

    private static string? WhyNot()
    {
        if (!OperatingSystem.IsLinux()) return "needs Linux (Slurm from Debian's apt)";
        string[] tools = ["sbatch", "slurmctld", "slurmd", "munged"];
        if (tools.All(OnPath)) return null;
        if (!OnPath("apt-get")) return "slurm-wlm and munge are not installed and there is no apt-get to install them";
        if (Environment.UserName == "root" || Succeeds("sudo", "-n", "true")) return null;
        return "slurm-wlm and munge are not installed, and installing them needs root or password-less sudo " +
               "(sudo apt-get install slurm-wlm munge, then run the tests again)";
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HdrUp.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("HdrUp.sln not found above the test binaries.");
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/sbin")
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)));

    private static bool Succeeds(string tool, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in args) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            return process.WaitForExit(10_000) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
