using System.Globalization;

namespace HdrUp.Cli.Tests;

public class AblationCommandTests
{
    // End to end on a tiny dataset made here: three 32×32 frames of ffmpeg's testsrc2, the GT as 16-bit PNG, the "SDR"
    // as 8-bit PNG (content need not be a real HDR/SDR pair: this checks the plumbing, not quality). Two variants,
    // two steps each at nf 8, crop 32, batch 2: kpnet-lean fills Tab. 2 row 2, Tab. 4 "×" and Tab. 5 B3, kpnet-norm
    // Tab. 4 "✓", so all three tables are written.
    [Fact]
    public async Task Ablation_trains_scores_and_writes_the_paper_tables()
    {
        string root = CliHarness.TempFolder();
        foreach (var (folder, format) in new[] { ("train_hdr", "rgb48be"), ("test_hdr", "rgb48be"), ("train_sdr/qp32", "rgb24"), ("test_sdr/qp32", "rgb24") })
        {
            string dir = Path.Combine(root, folder);
            Directory.CreateDirectory(dir);
            CliHarness.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x32:rate=25", "-frames:v", "3", "-pix_fmt", format,
                "-start_number", "0", Path.Combine(dir, "%06d.png"));
        }
        string recipe = Path.Combine(root, "tiny.json");
        File.WriteAllText(recipe, """{ "name": "tiny", "threads": 1, "train": { "total_iter": 10, "scheduler": { "milestones": [5] } } }""");
        string outDir = Path.Combine(root, "results");

        var run = await CliHarness.Run("bench", "ablation", "--data", root, "--qp", "32", "--iterations", "2", "--crop", "32", "--batch", "2",
            "--nf", "8", "--threads", "1", "--recipe", recipe, "--variants", "kpnet-lean,kpnet-norm",
            "--runs", Path.Combine(root, "runs"), "--out", outDir);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);

        string md = File.ReadAllText(Assert.Single(Directory.GetFiles(outDir, "ablation-*.md")));
        Assert.Contains("Budget per variant: 2 steps, crop 32, batch 2, nf 8", md);
        Assert.Contains("| 2 | ✓ | ✓ | ✓ | - | - | ✓ | ✓ | - | - |", md);
        Assert.Contains("| QP32 | ✓ |", md);
        Assert.Contains("| QP32 | × |", md);
        Assert.Contains("| B3 |", md);

        var lines = File.ReadAllLines(Assert.Single(Directory.GetFiles(outDir, "ablation-*.csv")));
        Assert.Equal(3, lines.Length);   // header + two variants
        foreach (string line in lines.Skip(1))
        {
            string[] f = line.Split(',');
            Assert.Contains(f[0], new[] { "kpnet-lean", "kpnet-norm" });
            Assert.Equal("3", f[6]);     // three test frames scored
            foreach (string metric in f[9..])
                Assert.True(double.IsFinite(double.Parse(metric, CultureInfo.InvariantCulture)), line);
        }
    }
}
