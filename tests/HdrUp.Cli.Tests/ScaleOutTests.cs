using HdrUp.Conversion;

namespace HdrUp.Cli.Tests;

/// <summary>
/// One clip split into three parts with <c>convert --segment K/3</c>, made once for the tests of
/// this class: 14 frames with a keyframe every 4 (frames 0, 4, 8, 12).
/// </summary>
public sealed class ScaleOutParts
{
    public ScaleOutParts()
    {
        Folder = CliHarness.TempFolder();
        Clip = CliHarness.MakeSdrClip(Folder, frames: 14, gop: 4);
        Parts = new string[3];
        for (int k = 1; k <= 3; k++)
        {
            Parts[k - 1] = Path.Combine(Folder, $"p{k}.mkv");
            Runs.Add(CliHarness.Run("convert", Clip, "--segment", $"{k}/3", "-o", Parts[k - 1], "--method", "bt2446a").GetAwaiter().GetResult());
        }
    }

    public string Folder { get; }
    public string Clip { get; }
    public string[] Parts { get; }
    internal List<CliHarness.Outcome> Runs { get; } = [];
}

public class ScaleOutTests(ScaleOutParts parts) : IClassFixture<ScaleOutParts>
{
    [Fact]
    public async Task ThreeSegments_ConvertedApart_AndConcatenated_AreByteIdenticalToOneConvert()
    {
        foreach (var run in parts.Runs)
            Assert.True(run.ExitCode == 0, run.Error);
        // 14 frames in 3: segment 2 starts at the keyframe nearest 14/3 ≈ 4.7 (frame 4), segment 3 at
        // the one nearest 28/3 ≈ 9.3 (frame 8, not 12).
        var infos = parts.Parts.Select(p => PartFile.Read(p)).ToArray();
        Assert.Equal(new[] { (0, 4), (4, 8), (8, 14) }, infos.Select(i => (i.FirstFrame, i.EndFrame)).ToArray());
        Assert.All(infos, i => Assert.Equal((14, 3, "bt2446a"), (i.TotalFrames, i.Segments, i.Signature)));
        Assert.Single(infos.Select(i => i.SourceId).Distinct());
        Assert.Equal(new long[] { 4, 4, 6 }, infos.Select(i => i.LightFrames).ToArray());
        // Lossless 16-bit RGB, as the single run's PNG cache holds the frames.
        Assert.Contains("codec_name=ffv1|pix_fmt=gbrp16le", CliHarness.Ffprobe("-show_entries", "stream=codec_name,pix_fmt", "-of", "compact=p=0", parts.Parts[1]));

        string dir = CliHarness.TempFolder();
        string joined = Path.Combine(dir, "joined.mkv");
        string single = Path.Combine(dir, "single.mkv");
        // Parts in any order; ultrafast keeps x265 cheap, and both sides use the same settings.
        var concat = await CliHarness.Run("concat", parts.Parts[2], parts.Parts[0], parts.Parts[1], "-o", joined, "--preset", "ultrafast");
        Assert.True(concat.ExitCode == 0, concat.Error);
        var convert = await CliHarness.Run("convert", parts.Clip, "-o", single, "--method", "bt2446a", "--preset", "ultrafast");
        Assert.True(convert.ExitCode == 0, convert.Error);

        Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(joined));
        // The audio came along from the source, as in the single run, and nothing is left behind.
        Assert.Contains("codec_type=audio", CliHarness.Ffprobe("-show_entries", "stream=codec_type", "-of", "compact", joined));
        Assert.Equal(new[] { "joined.mkv", "single.mkv" }, Directory.GetFileSystemEntries(dir).Select(p => Path.GetFileName(p)!).Order().ToArray());
    }

    // Parts are PQ; the transfer is the joining step's, so an HLG file joined from them is the HLG file one run writes.
    [Fact]
    public async Task Concat_TransferHlg_IsByteIdenticalToOneHlgConvert()
    {
        string dir = CliHarness.TempFolder();
        string joined = Path.Combine(dir, "joined.mkv"), single = Path.Combine(dir, "single.mkv");
        var concat = await CliHarness.Run([.. new[] { "concat" }, .. parts.Parts, "-o", joined, "--preset", "ultrafast", "--transfer", "hlg"]);
        var convert = await CliHarness.Run("convert", parts.Clip, "-o", single, "--method", "bt2446a", "--preset", "ultrafast", "--transfer", "hlg");

        Assert.True(concat.ExitCode == 0 && convert.ExitCode == 0, concat.Error + convert.Error);
        Assert.Contains("color_transfer=arib-std-b67", CliHarness.Ffprobe("-show_entries", "stream=color_transfer", "-of", "compact", joined));
        Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(joined));
    }

    [Fact]
    public async Task RetriedSegment_KeepsItsFinishedPart_AndAnotherSegmentRefusesToOverwriteIt()
    {
        string part = parts.Parts[1];
        byte[] before = File.ReadAllBytes(part);

        var retry = await CliHarness.Run("convert", parts.Clip, "--segment", "2/3", "-o", part, "--method", "bt2446a");
        Assert.True(retry.ExitCode == 0, retry.Error);
        Assert.Contains("segment 2/3 of this job is already converted; kept", retry.Error);
        Assert.Equal(before, File.ReadAllBytes(part));

        // Segment 1 aimed at segment 2's file: a mistake in a job script, not a retry.
        var clash = await CliHarness.Run("convert", parts.Clip, "--segment", "1/3", "-o", part, "--method", "bt2446a");
        Assert.Equal(1, clash.ExitCode);
        Assert.Equal("hdrup: error: p2.mkv: already exists and is not segment 1/3 of this job; pass --force to overwrite it", clash.Error.Trim());
        Assert.Equal(before, File.ReadAllBytes(part));
    }

    public enum BadSet { Missing, Duplicate, OtherSource }

    [Theory]
    [InlineData(BadSet.Missing, "hdrup: error: segment 2/3 is missing")]
    [InlineData(BadSet.Duplicate, "hdrup: error: p2.mkv and copy.mkv are both segment 2/3; give each segment once")]
    [InlineData(BadSet.OtherSource, "hdrup: error: p2.mkv: made from a different source (clip.mp4, id ")]
    public async Task Concat_OfPartsThatDoNotBelongTogether_IsOneErrorLine_AndNoOutput(BadSet bad, string expected)
    {
        string dir = CliHarness.TempFolder();
        string[] given = bad switch
        {
            BadSet.Missing => [parts.Parts[0], parts.Parts[2]],
            BadSet.Duplicate => [parts.Parts[0], parts.Parts[1], CopyOf(parts.Parts[1], dir), parts.Parts[2]],
            _ => [OtherSourcePart(dir), parts.Parts[1], parts.Parts[2]],
        };
        string output = Path.Combine(dir, "out.mkv");

        var run = await CliHarness.Run(["concat", .. given, "-o", output, "--preset", "ultrafast"]);

        Assert.Equal(1, run.ExitCode);
        string[] lines = run.Error.Trim().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith(expected, lines[0]);
        Assert.False(File.Exists(output));
        Assert.DoesNotContain(Directory.GetFileSystemEntries(dir), p => p.EndsWith(".tmp"));
    }

    [Theory]
    [InlineData("4/3", "hdrup: error: --segment 4/3: expected K/N with 1 ≤ K ≤ N, e.g. 2/8")]
    [InlineData("1/9", "hdrup: error: clip.mp4: 4 keyframes give at most 4 segments, not 9; use fewer segments")]
    public async Task Convert_WithAnImpossibleSegment_IsOneErrorLine(string segment, string expected)
    {
        string output = Path.Combine(CliHarness.TempFolder(), "part.mkv");

        var run = await CliHarness.Run("convert", parts.Clip, "--segment", segment, "-o", output, "--method", "bt2408");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(expected, run.Error.Trim());
        Assert.False(File.Exists(output));
    }

    private static string CopyOf(string part, string dir)
    {
        string copy = Path.Combine(dir, "copy.mkv");
        File.Copy(part, copy);
        return copy;
    }

    /// <summary>Segment 1/3 of another clip (12 frames, so other packets and another source id).</summary>
    private static string OtherSourcePart(string dir)
    {
        string clip = CliHarness.MakeSdrClip(dir, frames: 12, gop: 4);
        string part = Path.Combine(dir, "other1.mkv");
        var run = CliHarness.Run("convert", clip, "--segment", "1/3", "-o", part, "--method", "bt2446a").GetAwaiter().GetResult();
        Assert.True(run.ExitCode == 0, run.Error);
        return part;
    }
}

/// <summary>Segments of inputs that need reading steps: deinterlacing and turning, kept pixel shape.</summary>
public class ScaleOutInputTests
{
    // bwdif looks at the frames either side of each one: the GOP a segment decodes before its first frame
    // and the frames it reads past its last give it the same neighbours a single run has.
    [Theory]
    [InlineData("interlaced")]
    [InlineData("keep-sar")]
    public async Task Segments_of_a_turned_interlaced_or_anamorphic_clip_join_to_the_single_run_file(string kind)
    {
        string dir = CliHarness.TempFolder();
        string clip = Path.Combine(dir, "clip.mp4"), stored = Path.Combine(dir, "stored.mp4");
        string[] extra = kind == "keep-sar" ? ["--keep-sar"] : [];
        if (kind == "interlaced")
        {
            // 14 woven frames (tt), a keyframe every 4, turned by the display matrix.
            HdrUp.TestSupport.TestClips.WovenBar(stored, 14, gop: 4);
            CliHarness.Ffmpeg("-i", stored, "-c", "copy", "-metadata:s:v:0", "rotate=90", clip);
        }
        else
            CliHarness.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=64x48:r=25", "-frames:v", "14", "-vf", "setsar=32/27",
                "-c:v", "libx264", "-g", "4", "-keyint_min", "4", "-sc_threshold", "0", clip);
        string single = Path.Combine(dir, "single.mkv"), joined = Path.Combine(dir, "joined.mkv");

        var convert = await CliHarness.Run(["convert", clip, "-o", single, "--method", "bt2408", "--preset", "ultrafast", .. extra]);
        var parts = new List<string>();
        for (int k = 1; k <= 3; k++)
        {
            parts.Add(Path.Combine(dir, $"p{k}.mkv"));
            var part = await CliHarness.Run(["convert", clip, "--segment", $"{k}/3", "-o", parts[^1], "--method", "bt2408", .. extra]);
            Assert.True(part.ExitCode == 0, part.Error);
        }
        var concat = await CliHarness.Run("concat", parts[2], parts[0], parts[1], "-o", joined, "--preset", "ultrafast");

        Assert.True(convert.ExitCode == 0 && concat.ExitCode == 0, convert.Error + concat.Error);
        Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(joined));
        string streams = CliHarness.Ffprobe("-show_entries", "stream=width,height,sample_aspect_ratio", "-of", "compact=p=0", joined);
        Assert.Contains(kind == "interlaced" ? "width=64|height=128" : "width=64|height=48|sample_aspect_ratio=32:27", streams);
    }

    [Fact]
    public async Task Field_rate_segments_are_refused_before_any_work()
    {
        string dir = CliHarness.TempFolder();
        string clip = Path.Combine(dir, "woven.mkv");
        CliHarness.Ffmpeg("-f", "lavfi", "-i", "color=c=black:s=64x48:r=50", "-vf", "interlace=scan=tff", "-frames:v", "4",
            "-c:v", "mpeg2video", "-flags", "+ildct+ilme", "-top", "1", clip);

        var run = await CliHarness.Run("convert", clip, "--segment", "1/2", "-o", Path.Combine(dir, "p1.mkv"), "--method", "bt2408", "--deinterlace", "field");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("hdrup: error: woven.mkv: interlaced, and one picture per field cannot be split into segments; convert it on one machine, or with one picture per frame",
            run.Error.Trim());
        Assert.Equal(["woven.mkv"], Directory.GetFileSystemEntries(dir).Select(p => Path.GetFileName(p)!).ToArray());
    }
}
