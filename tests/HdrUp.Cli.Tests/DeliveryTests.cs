using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using HdrUp.Conversion.Delivery;
using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Media;
using HdrUp.Conversion;
using SkiaSharp;

namespace HdrUp.Cli.Tests;

/// <summary><c>convert --preview</c> and <c>--report</c> (issue #16), and the frame observer they hang on.</summary>
public class DeliveryTests
{
    /// <summary>A lossless BT.709 clip of flat colours, <paramref name="frames"/> frames each, joined in order.</summary>
    private static string FlatClip(string dir, string name, int frames, params string[] colours)
    {
        string path = Path.Combine(dir, name);
        var args = new List<string>();
        foreach (string c in colours)
            args.AddRange(["-f", "lavfi", "-i", $"color=c={c}:size=64x48:rate=25"]);
        string inputs = string.Concat(colours.Select((_, i) => $"[{i}:v]trim=end_frame={frames}[v{i}];"));
        string joined = string.Concat(colours.Select((_, i) => $"[v{i}]"));
        CliHarness.Ffmpeg([.. args, "-filter_complex",
            $"{inputs}{joined}concat=n={colours.Length}:v=1:a=0,scale=out_color_matrix=bt709:out_range=tv,format=yuv420p",
            "-c:v", "libx264", "-qp", "0", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv", path]);
        return path;
    }

    private static (int MaxCll, int MaxFall) FileLightLevel(string file)
    {
        string side = CliHarness.Ffprobe("-read_intervals", "%+#1", "-select_streams", "v", "-show_frames", "-show_entries", "frame=side_data_list", "-of", "compact", file);
        var m = Regex.Match(side, @"Content light level metadata\|max_content=(\d+)\|max_average=(\d+)");
        Assert.True(m.Success, side);
        return (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value));
    }

    private static SKColor Pixel(SKBitmap bitmap, int x, int y) => bitmap.GetPixel(x, y);

    // The still of a 64×48 clip: panels of 64×48 (no reduction below 640 px), so width = 8 + 3·(64 + 8) + 150 + 8 = 382
    // and height = 8 + max(20 + 48, 20 + 7·18 = 146) + 8 + 2·15 + 8 = 200. Every pixel of the middle panel is
    // SdrPreview.FromPq of the output frame as written to --frames-out (the same 16-bit frame the file is encoded from),
    // to within the 8-bit rounding; the captions and legend carry text (dark anti-aliased pixels), drawn with the
    // embedded font since Skia's NoDependencies build sees no system font.
    [Fact]
    public async Task Preview_HasThreePanelsAndALegend_AndItsMiddlePanelIsSdrPreviewOfTheOutput()
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir, frames: 6);
        string preview = Path.Combine(dir, "preview.png"), frames = Path.Combine(dir, "frames");

        var run = await CliHarness.Run("convert", clip, "-o", Path.Combine(dir, "out.mkv"), "--frames-out", frames, "--method", "bt2446a",
            "--preset", "ultrafast", "--preview", preview, "--preview-frame", "4");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("frame 4, as asked", run.Output.ReplaceLineEndings(" "));
        using var still = SKBitmap.Decode(preview);
        Assert.Equal((382, 200), (still.Width, still.Height));
        Assert.Equal((382, 200), PreviewStill.Size(64, 48));

        RgbPlanarFrame pq = Png16.Read(Path.Combine(frames, "000004.png"));
        var (x0, y0) = PreviewStill.PanelOrigin(1, 64, 48);
        Assert.Equal((80, 28), (x0, y0));
        double worst = 0;
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < 64; x++)
            {
                var (r, g, b) = SdrPreview.FromPq(pq[0, y, x], pq[1, y, x], pq[2, y, x]);
                SKColor shown = Pixel(still, x0 + x, y0 + y);
                worst = Math.Max(worst, Math.Max(Math.Abs(shown.Red - 255 * r), Math.Max(Math.Abs(shown.Green - 255 * g), Math.Abs(shown.Blue - 255 * b))));
            }
        Assert.True(worst <= 0.5 + 1e-9, $"largest difference {worst} of 255");

        int Ink(int xa, int ya, int xb, int yb)
        {
            int n = 0;
            for (int y = ya; y < yb; y++)
                for (int x = xa; x < xb; x++)
                    if (Pixel(still, x, y) is { Red: < 128, Green: < 128, Blue: < 128 }) n++;
            return n;
        }
        Assert.InRange(Ink(8, 8, 72, 28), 20, 600);        // "SDR input" above the first panel
        var (sx, sy) = PreviewStill.SwatchOrigin(0, 64, 48);
        Assert.InRange(Ink(sx + 18, sy, 374, sy + 14), 5, 200); // "< 1" beside the first swatch
        Assert.InRange(Ink(8, 162, 374, 192), 100, 5000);  // the two-line note
    }

    // SDR white through BT.2408 is 203 cd/m² (BT.2408 reference white): the whole false-colour panel shows the
    // "100–203" band (an edge belongs to the band below); nothing is above 203 cd/m², and MaxCLL = MaxFALL = 203.
    // A 50 % grey (code 126 of 255 after limited-range coding) is 203·(126/255)^2.4 = 37.4 cd/m²: band "10–100".
    [Theory]
    [InlineData("white", 3, 203)]
    [InlineData("0x7e7e7e", 2, 37)]
    public async Task Preview_FalseColour_ShowsTheBandOfAFlatClipsLight(string colour, int band, int nits)
    {
        string dir = CliHarness.TempFolder();
        string clip = FlatClip(dir, "flat.mp4", 3, colour);
        string preview = Path.Combine(dir, "p.png"), report = Path.Combine(dir, "r.json"), output = Path.Combine(dir, "out.mkv");

        var run = await CliHarness.Run("convert", clip, "-o", output, "--method", "bt2408", "--preset", "ultrafast", "--preview", preview, "--report", report);

        Assert.True(run.ExitCode == 0, run.Error);
        using var still = SKBitmap.Decode(preview);
        var (x0, y0) = PreviewStill.PanelOrigin(2, 64, 48);
        var expected = FalseColour.Bands[band];
        for (int y = 0; y < 48; y += 7)
            for (int x = 0; x < 64; x += 7)
                Assert.Equal(new SKColor(expected.R, expected.G, expected.B), Pixel(still, x0 + x, y0 + y));
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        Assert.Equal(0.0, json.RootElement.GetProperty("above_203_share").GetDouble());
        Assert.InRange(json.RootElement.GetProperty("max_cll").GetInt32(), nits - 1, nits + 1);
        Assert.Equal(FileLightLevel(output).MaxCll, json.RootElement.GetProperty("max_cll").GetInt32());
    }

    // Two flat colours back to back are two shots, split at frame 4 (block score 1 − 64/255 ≈ 0.75, every pixel
    // changes histogram bin). Greys survive limited-range coding exactly, so their light through BT.2408 is known:
    // white → 203 cd/m², code 64 → 203·(64/255)^2.4 = 7.36 cd/m². The clip's MaxCLL/MaxFALL in the report are the
    // file's (ffprobe), the per-shot ones each shot's own.
    [Fact]
    public async Task Report_SplitsShotsAtACut_AndItsLightLevelIsTheFiles()
    {
        string dir = CliHarness.TempFolder();
        string clip = FlatClip(dir, "two.mp4", 4, "white", "0x404040");
        string report = Path.Combine(dir, "r.json"), output = Path.Combine(dir, "out.mkv");

        var run = await CliHarness.Run("convert", clip, "-o", output, "--method", "bt2408", "--preset", "ultrafast", "--report", report);

        Assert.True(run.ExitCode == 0, run.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var root = json.RootElement;
        var shots = root.GetProperty("shots").EnumerateArray().ToArray();
        Assert.Equal(2, shots.Length);
        Assert.Equal([0, 4], shots.Select(s => s.GetProperty("first_frame").GetInt32()));
        Assert.Equal([4, 4], shots.Select(s => s.GetProperty("frames").GetInt32()));
        Assert.Equal([203, 7], shots.Select(s => s.GetProperty("max_cll").GetInt32()));
        Assert.Equal([203, 7], shots.Select(s => s.GetProperty("max_fall").GetInt32()));
        Assert.Equal(0.75, shots[1].GetProperty("cut_scores").GetProperty("blocks").GetDouble(), 1e-3);
        Assert.Equal(1.0, shots[1].GetProperty("cut_scores").GetProperty("histogram").GetDouble(), 1e-9);
        var (maxCll, maxFall) = FileLightLevel(output);
        Assert.Equal(maxCll, root.GetProperty("max_cll").GetInt32());
        Assert.Equal(maxFall, root.GetProperty("max_fall").GetInt32());
        Assert.Equal((203, 203), (maxCll, maxFall));
        Assert.Equal(0.0, root.GetProperty("above_203_share").GetDouble());
        Assert.Equal("pq", root.GetProperty("transfer").GetString());
        Assert.Equal(1000, root.GetProperty("peak_nits").GetDouble());
        Assert.Equal("bt2408", root.GetProperty("model").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("qp").ValueKind);
        // Greys have no hue: no pixel counts for the colour metric.
        Assert.Equal(0, root.GetProperty("colour").GetProperty("chromatic_pixels").GetInt64());
        string table = run.Output.ReplaceLineEndings(" ");
        Assert.Matches(@"shots\s*│\s*2; MaxCLL/MaxFALL per shot", table);
        Assert.Contains("0.00 % of pixels", table);
    }

    // --grade bt2446c runs the paper-style model shipped beside the QP's general one (other weights, so another resume
    // signature and other pixels), and says so; a fast model has one too.
    [Fact]
    public async Task Grade_Bt2446c_RunsThePaperStyleModel()
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir, frames: 2);
        var reports = new List<JsonElement>();
        foreach (string grade in new[] { "general", "bt2446c" })
        {
            string report = Path.Combine(dir, $"{grade}.json");
            var run = await CliHarness.Run("convert", clip, "-o", Path.Combine(dir, $"{grade}.mkv"), "--quality", "fast", "--qp", "37",
                "--grade", grade, "--preset", "ultrafast", "--report", report);
            Assert.True(run.ExitCode == 0, run.Error);
            if (grade == "bt2446c") Assert.Contains("paper-style fast KPNet", Regex.Replace(run.Output, @"\s+", " "));
            reports.Add(JsonDocument.Parse(File.ReadAllText(report)).RootElement);
        }
        Assert.Equal("kpnet-fast-qp37+colour-keep", reports[0].GetProperty("model").GetString());
        Assert.Equal("kpnet-fast-qp37-bt2446c+colour-keep", reports[1].GetProperty("model").GetString());
        Assert.NotEqual(reports[0].GetProperty("max_cll").GetInt32(), reports[1].GetProperty("max_cll").GetInt32());
    }

    // The network's report names the shipped model and the QP it was picked for; on the testsrc2 clip (one shot)
    // the report's MaxCLL is the file's again, now from the network with its highlight roll-off, and its hue drift
    // and chroma ratio are what 'hdrup eval --sdr' measures on the same frames (--frames-out).
    [Fact]
    public async Task Report_NamesTheModelAndQp_OfTheNetwork()
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir, frames: 3);
        string report = Path.Combine(dir, "r.json"), output = Path.Combine(dir, "out.mkv");

        string frames = Path.Combine(dir, "frames"), eval = Path.Combine(dir, "eval.json");
        var run = await CliHarness.Run("convert", clip, "-o", output, "--frames-out", frames, "--quality", "fast", "--qp", "42", "--preset", "ultrafast", "--report", report);

        Assert.True(run.ExitCode == 0, run.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var root = json.RootElement;
        Assert.Equal(42, root.GetProperty("qp").GetInt32());
        Assert.Equal("kpnet-fast-qp42+colour-keep", root.GetProperty("model").GetString());
        Assert.Single(root.GetProperty("shots").EnumerateArray());
        Assert.Equal(FileLightLevel(output).MaxCll, root.GetProperty("max_cll").GetInt32());
        Assert.InRange(root.GetProperty("colour").GetProperty("hue_drift_deg").GetDouble(), 0, 1); // --colour keep
        Assert.Equal(1, root.GetProperty("colour_stride").GetInt32());
        var measured = await CliHarness.Run("eval", "--pred", frames, "--sdr", clip, "--json", eval);
        Assert.True(measured.ExitCode == 0, measured.Error);
        using var evalJson = JsonDocument.Parse(File.ReadAllText(eval));
        var colour = evalJson.RootElement.GetProperty("colour");
        Assert.Equal(colour.GetProperty("hue_drift_deg").GetDouble(), root.GetProperty("colour").GetProperty("hue_drift_deg").GetDouble(), 1e-9);
        Assert.Equal(colour.GetProperty("chroma_ratio").GetDouble(), root.GetProperty("colour").GetProperty("chroma_ratio").GetDouble(), 1e-9);
        Assert.Equal(colour.GetProperty("chromatic_pixels").GetInt64(), root.GetProperty("colour").GetProperty("chromatic_pixels").GetInt64());
    }

    [Theory]
    [InlineData("--preview-frame 2", "--preview-frame needs --preview FILE.png")]
    [InlineData("--preview p.jpg", "p.jpg: the preview is a PNG still; name it .png")]
    [InlineData("--preview p.png --preview-frame 9", "--preview-frame 9: clip.mp4 has 4 frame(s) to convert (0–3)")]
    [InlineData("--preview p.png --preview-frame -1", "--preview-frame -1: frames count from 0")]
    [InlineData("--report taken.json", "taken.json: already exists; pass --force to overwrite it")]
    [InlineData("--report nowhere/r.json", "r.json: folder")]
    [InlineData("--report r.json --segment 1/2", "--segment converts part of a file; --report and --preview describe a whole one")]
    public async Task BadDeliveryOptions_AreOneErrorLine_BeforeAnyWork(string options, string expected)
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir, frames: 4);
        File.WriteAllText(Path.Combine(dir, "taken.json"), "precious");
        string[] extra = options.Split(' ').Select(a => a.Contains('.') && !a.Contains('/') ? Path.Combine(dir, a) : a.StartsWith("nowhere") ? Path.Combine(dir, a) : a).ToArray();

        var run = await CliHarness.Run(["convert", clip, "-o", Path.Combine(dir, "out.mkv"), "--method", "bt2408", .. extra]);

        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.StartsWith($"hdrup: error: {expected}", run.Error.Trim());
        Assert.Equal("precious", File.ReadAllText(Path.Combine(dir, "taken.json")));
        Assert.False(File.Exists(Path.Combine(dir, "out.mkv")));
    }
}
