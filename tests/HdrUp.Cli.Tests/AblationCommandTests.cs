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

        // A second run (as after a kill) reuses the finished variants instead of training them again.
        var again = await CliHarness.Run("bench", "ablation", "--data", root, "--qp", "32", "--iterations", "2", "--crop", "32", "--batch", "2",
            "--nf", "8", "--threads", "1", "--recipe", recipe, "--variants", "kpnet-lean",
            "--runs", Path.Combine(root, "runs"), "--out", Path.Combine(root, "again"));
        Assert.True(again.ExitCode == 0, again.Output + again.Error);
        Assert.Contains("already trained (2 steps)", again.Output);

        // bench quality on the same data with one of the trained variants as an extra method, plus a pan sequence:
        // Table 1 rows for the two mappings, the shipped KPNet, its paper-style model (--grade bt2446c) and the extra method;
        // the flicker table; a crops PNG of 2 rows × 7 columns (SDR input, two mappings, the two shipped models, the extra
        // method, ground truth).
        foreach (var (folder, format) in new[] { ("pan_hdr/seq", "rgb48be"), ("pan_sdr/qp32/seq", "rgb24") })
        {
            string dir = Path.Combine(root, folder);
            Directory.CreateDirectory(dir);
            CliHarness.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x32:rate=25", "-frames:v", "3", "-pix_fmt", format,
                "-start_number", "0", Path.Combine(dir, "%04d.png"));
        }
        string lean = Assert.Single(Directory.GetFiles(Path.Combine(root, "runs"), "kpnet-lean.safetensors", SearchOption.AllDirectories));
        string qualityOut = Path.Combine(root, "quality");
        var quality = await CliHarness.Run("bench", "quality", "--data", root, "--qp", "32", "--threads", "1", "--weights", $"lean={lean}",
            "--figure-rows", "2", "--caption", "Trained 2 steps.", "--out", qualityOut);
        Assert.True(quality.ExitCode == 0, quality.Output + quality.Error);
        string report = File.ReadAllText(Assert.Single(Directory.GetFiles(qualityOut, "quality-*.md")));
        Assert.Contains("Trained 2 steps.", report);
        Assert.Contains("| 32 | kpnet (shipped) | 1.55M | 1.55M |", report);
        Assert.Contains("| 32 | kpnet (shipped, --grade bt2446c) | 1.55M | 1.55M |", report);
        Assert.Contains("| 32 | lean |", report);
        Assert.Contains("| 32 | BT.2446 Method A inverse | – | – |", report);
        Assert.Contains("| 32 | lean | ", report[report.IndexOf("flicker (output)", StringComparison.Ordinal)..]);
        Assert.Equal(6, File.ReadAllLines(Assert.Single(Directory.GetFiles(qualityOut, "quality-*-temporal.csv"))).Length);  // header + 5 methods
        using var figure = SixLabors.ImageSharp.Image.Load(Assert.Single(Directory.GetFiles(qualityOut, "quality-*-qp32.png")));
        Assert.Equal((7 * 32 + 6 * 4, 2 * 32 + 4), (figure.Width, figure.Height));
        Assert.Contains("columns = SDR input | BT.2446 Method A inverse | BT.2408 placement (203 cd/m²) | kpnet (shipped) | kpnet (shipped, --grade bt2446c) | lean | ground truth", report);

        // Table 3 probe on the trained variant: MSE per branch after 0 and 2 head steps, all three branches finite.
        string probeOut = Path.Combine(root, "probe");
        var probe = await CliHarness.Run("bench", "probe", "--weights", lean, "--data", root, "--qp", "32", "--iterations", "0,2",
            "--crop", "32", "--batch", "2", "--threads", "1", "--out", probeOut);
        Assert.True(probe.ExitCode == 0, probe.Output + probe.Error);
        var probeRows = File.ReadAllLines(Assert.Single(Directory.GetFiles(probeOut, "probe-*.csv")));
        Assert.Equal(["0", "2"], probeRows.Skip(1).Select(l => l.Split(',')[0]));
        Assert.All(probeRows.Skip(1).SelectMany(l => l.Split(',').Skip(1)), v => Assert.True(double.IsFinite(double.Parse(v, CultureInfo.InvariantCulture)), v));

        // Fig. 6 colour card: 18 patches scored per model, the picture is input | model | truth at the card's size.
        string cardOut = Path.Combine(root, "card");
        var card = await CliHarness.Run("bench", "card", "--weights", $"lean={lean}", "--qp", "32", "--threads", "1", "--out", cardOut);
        Assert.True(card.ExitCode == 0, card.Output + card.Error);
        Assert.Equal(1 + 18, File.ReadAllLines(Assert.Single(Directory.GetFiles(cardOut, "card-*.csv"))).Length);
        Assert.Contains("| lean | ", File.ReadAllText(Assert.Single(Directory.GetFiles(cardOut, "card-*.md"))));
        using var cardPicture = SixLabors.ImageSharp.Image.Load(Assert.Single(Directory.GetFiles(cardOut, "card-*.png")));
        Assert.Equal((3 * 256 + 2 * 4, 256), (cardPicture.Width, cardPicture.Height));
    }
}
