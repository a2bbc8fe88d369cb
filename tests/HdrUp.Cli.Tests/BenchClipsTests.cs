using System.Globalization;

namespace HdrUp.Cli.Tests;

public class BenchClipsTests
{
    // A colourful synthetic clip through every method: BT.2408 is the reference of the hue measure, so it drifts by
    // 16-bit rounding only; the table, CSV and one figure per clip are written; a missing clip is one error line.
    [Fact]
    public async Task Clips_bench_measures_every_method_against_its_input_and_draws_a_figure()
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir, 64, 48, frames: 6);
        string outDir = Path.Combine(dir, "out");

        var run = await CliHarness.Run("bench", "clips", clip, "--frames", "2", "--qp", "37", "--threads", "1", "--out", outDir);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        string[] csv = File.ReadAllLines(Assert.Single(Directory.GetFiles(outDir, "clips-*.csv")));
        Assert.Equal("clip,width,height,qp,frames,method,hue_drift_deg,chroma_ratio,chromatic_pixels,seconds_per_frame", csv[0]);
        var rows = csv.Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[5]);
        Assert.Equal(["BT.2446 Method A inverse", "BT.2408 placement (203 cd/m²)", "kpnet (shipped)"], rows.Keys);
        double Drift(string method) => double.Parse(rows[method][6], CultureInfo.InvariantCulture);
        Assert.InRange(Drift("BT.2408 placement (203 cd/m²)"), 0, 0.2);
        Assert.Equal(1.0, double.Parse(rows["BT.2408 placement (203 cd/m²)"][7], CultureInfo.InvariantCulture), 2);
        Assert.All(rows.Values, f => Assert.Equal(("clip.mp4", "64", "48", "37", "2"), (f[0], f[1], f[2], f[3], f[4])));
        Assert.True(Drift("kpnet (shipped)") is > 0 and < 180);
        using var figure = SixLabors.ImageSharp.Image.Load(Assert.Single(Directory.GetFiles(outDir, "clips-*-clip.png")));
        // Four columns (input + three methods) of 48-pixel tiles (the frame's short side) with 4-pixel gaps, two rows.
        Assert.Equal((4 * 48 + 3 * 4, 2 * 48 + 4), (figure.Width, figure.Height));

        var missing = await CliHarness.Run("bench", "clips", Path.Combine(dir, "nope.mp4"), "--out", outDir);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("hdrup: error: " + Path.Combine(dir, "nope.mp4") + ": no such clip or folder", missing.Error.Trim());
    }
}
