using HdrUp.Color;
using HdrUp.Conversion;
using HdrUp.Core;

namespace HdrUp.Cli.Tests;

public class ConvertCommandTests
{
    [Fact]
    public async Task Convert_WritesAFullyTaggedHdr10File_WithTheSourceAudio()
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir);
        string output = Path.Combine(dir, "out.mkv");

        var run = await CliHarness.Run("convert", clip, "-o", output, "--method", "bt2446a", "--preset", "ultrafast");

        Assert.True(run.ExitCode == 0, run.Error);
        string streams = CliHarness.Ffprobe("-show_entries",
            "stream=codec_type,codec_name,profile,pix_fmt,color_primaries,color_transfer,color_space,color_range", "-of", "compact", output);
        Assert.Contains("codec_name=hevc|profile=Main 10|codec_type=video|pix_fmt=yuv420p10le|color_range=tv|color_space=bt2020nc|color_transfer=smpte2084|color_primaries=bt2020", streams);
        Assert.Contains("codec_type=audio", streams);
        string side = CliHarness.Ffprobe("-read_intervals", "%+#1", "-select_streams", "v", "-show_frames", "-show_entries", "frame=side_data_list", "-of", "compact", output);
        Assert.Contains("Mastering display metadata", side);
        // BT.2446 Method A sends SDR white to ~1000 cd/m²; the test pattern's brightest bars sit a little
        // below white after H.264, so MaxCLL lands in the upper hundreds, never above the 1000-nit peak.
        var cll = System.Text.RegularExpressions.Regex.Match(side, @"Content light level metadata\|max_content=(\d+)\|max_average=(\d+)");
        Assert.True(cll.Success, side);
        Assert.InRange(int.Parse(cll.Groups[1].Value), 800, 1000);
        Assert.InRange(int.Parse(cll.Groups[2].Value), 50, int.Parse(cll.Groups[1].Value));
        // Nothing left behind: no temporary output, no work cache.
        Assert.Equal(new[] { "clip.mp4", "out.mkv" }, Directory.GetFileSystemEntries(dir).Select(p => Path.GetFileName(p)!).Order().ToArray());
    }

    // One probe per input (#18): the mapping choice (QP estimate), the job, the reader and the encoder's stream copy all
    // use the probe convert made. An ffprobe wrapper logs its command lines; other tests running meanwhile pass through it
    // unharmed, and only lines naming this test's clip count. The wrapper stays on disk: a parallel test may still run it.
    [Fact]
    public async Task Convert_ProbesItsInputOnce()
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir, frames: 4);
        string log = Path.Combine(dir, "ffprobe.log");
        string wrapper = Path.Combine(dir, "ffprobe");
        string real = HdrUp.Media.Ffmpeg.FfprobePath;
        File.WriteAllText(wrapper, $"#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{log}'\nexec '{real}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string? before = Environment.GetEnvironmentVariable(HdrUp.Media.Ffmpeg.FfprobeVariable);
        Environment.SetEnvironmentVariable(HdrUp.Media.Ffmpeg.FfprobeVariable, wrapper);
        try
        {
            var run = await CliHarness.Run("convert", clip, "-o", Path.Combine(dir, "out.mkv"), "--quality", "fast", "--qp", "auto", "--preset", "ultrafast");
            Assert.True(run.ExitCode == 0, run.Error);
        }
        finally
        {
            Environment.SetEnvironmentVariable(HdrUp.Media.Ffmpeg.FfprobeVariable, before);
        }
        var probes = File.ReadAllLines(log).Where(l => l.Contains("-show_format") && l.Contains(clip)).ToList();
        Assert.True(probes.Count == 1, string.Join("\n", probes));
    }

    // The fast level picks the shipped distilled model of the QP and, by default, ONNX Runtime; --backend torch runs
    // the same model through libtorch; a network ONNX export does not cover is refused for --backend onnx.
    [Fact]
    public async Task Convert_QualityFast_UsesTheShippedFastModel_OnEitherBackend()
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir, frames: 2);

        var fast = await CliHarness.Run("convert", clip, "-o", Path.Combine(dir, "fast.mkv"), "--quality", "fast", "--qp", "42", "--preset", "ultrafast");
        Assert.True(fast.ExitCode == 0, fast.Error);
        Assert.Contains("fast KPNet trained at QP 42 (as requested), ONNX Runtime", fast.Output);
        Assert.Contains("pix_fmt=yuv420p10le", CliHarness.Ffprobe("-show_entries", "stream=pix_fmt", "-of", "compact", Path.Combine(dir, "fast.mkv")));

        var torch = await CliHarness.Run("convert", clip, "-o", Path.Combine(dir, "torch.mkv"), "--quality", "fast", "--qp", "42", "--backend", "torch", "--preset", "ultrafast");
        Assert.True(torch.ExitCode == 0, torch.Error);
        Assert.Contains("fast KPNet trained at QP 42 (as requested), libtorch", torch.Output);

        string csrnet = Path.Combine(dir, "csrnet.safetensors");
        using (var network = HdrUp.Models.ArchRegistry.Create("csrnet")) HdrUp.Models.Checkpoints.ModelStore.Save(network, "csrnet", csrnet);
        var refused = await CliHarness.Run("convert", clip, "-o", Path.Combine(dir, "c.mkv"), "--model", csrnet, "--backend", "onnx");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("has no ONNX export; use --backend torch", refused.Error);
    }

    // --precision int8: the fast model's int8 graph on ONNX Runtime writes an HDR10 file; a network without an ONNX graph is
    // refused in one line.
    [Fact]
    public async Task Convert_Int8_RunsTheInt8GraphOnOnnxRuntime()
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir, frames: 2);
        string output = Path.Combine(dir, "int8.mkv");
        var run = await CliHarness.Run("convert", clip, "-o", output, "--quality", "fast", "--qp", "37", "--precision", "int8", "--preset", "ultrafast");
        Assert.True(run.ExitCode == 0, run.Error);
        string mapping = System.Text.RegularExpressions.Regex.Replace(run.Output, @"\s+", " ");   // the console wraps long lines
        Assert.Contains("fast KPNet trained at QP 37 (as requested), ONNX Runtime in int8 (calibrated on", mapping);
        Assert.Contains("pix_fmt=yuv420p10le", CliHarness.Ffprobe("-show_entries", "stream=pix_fmt", "-of", "compact", output));
        Assert.Equal("2", CliHarness.Ffprobe("-select_streams", "v:0", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", output).Trim());

        string csrnet = Path.Combine(dir, "csrnet.safetensors");
        using (var network = HdrUp.Models.ArchRegistry.Create("csrnet")) HdrUp.Models.Checkpoints.ModelStore.Save(network, "csrnet", csrnet);
        var refused = await CliHarness.Run("convert", clip, "-o", Path.Combine(dir, "c.mkv"), "--model", csrnet, "--precision", "int8");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--precision int8: csrnet.safetensors is a CSRNet, which has no ONNX export", refused.Error);
        Assert.Single(refused.Error.Trim().Split('\n'));
    }

    // --colour keep (the default) and exact: the same model's frames with the input's hues; measured against the input, the
    // hue drift of the locked frames is a fraction of the raw network's.
    [Fact]
    public async Task Convert_ColourKeep_LocksTheHuesToTheInput()
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir, frames: 2);
        string raw = Path.Combine(dir, "raw"), kept = Path.Combine(dir, "kept"), exact = Path.Combine(dir, "exact");

        var model = await CliHarness.Run("convert", clip, "--frames-out", raw, "--quality", "fast", "--qp", "37", "--colour", "model");
        var keep = await CliHarness.Run("convert", clip, "--frames-out", kept, "--quality", "fast", "--qp", "37");
        var strict = await CliHarness.Run("convert", clip, "--frames-out", exact, "--quality", "fast", "--qp", "37", "--colour", "exact");

        Assert.True(model.ExitCode == 0 && keep.ExitCode == 0 && strict.ExitCode == 0, model.Error + keep.Error + strict.Error);
        Assert.Contains("hues kept from the input", keep.Output.ReplaceLineEndings(" ").Replace("│", " "));
        Assert.Contains("colours kept exactly from the input", strict.Output.ReplaceLineEndings(" ").Replace("│", " "));
        double Drift(string frames)
        {
            var eval = CliHarness.Run("eval", "--pred", frames, "--sdr", clip).GetAwaiter().GetResult();
            Assert.True(eval.ExitCode == 0, eval.Error);
            var m = System.Text.RegularExpressions.Regex.Match(eval.Output, @"all 2\s*│\s*([0-9.]+)");
            Assert.True(m.Success, eval.Output);
            return double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        double before = Drift(raw), after = Drift(kept), afterExact = Drift(exact);
        Assert.True(after < 1.0 && after < 0.25 * before, $"hue drift {before:F2}° → {after:F2}°");
        Assert.True(afterExact < 1.0 && afterExact < 0.25 * before, $"hue drift {before:F2}° → {afterExact:F2}° (exact)");
        // The two locks differ where the network restores saturation.
        string first = Directory.GetFiles(kept, "*.png").Order().First();
        Assert.NotEqual(File.ReadAllBytes(first), File.ReadAllBytes(Path.Combine(exact, Path.GetFileName(first))));
    }

    // --peak: the mastering display says the peak and no pixel exceeds it, so MaxCLL stays at or below it (the network
    // alone can go far above: the sample clip's MaxCLL was 2814 with a 1000 cd/m² mastering display).
    [Theory]
    [InlineData(null, 1000)]
    [InlineData("400", 400)]
    public async Task Convert_Peak_IsSignalledAndNeverExceeded(string? peak, int expected)
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir, frames: 2);
        string output = Path.Combine(dir, "out.mkv");
        string[] extra = peak is null ? [] : ["--peak", peak];

        var run = await CliHarness.Run(["convert", clip, "-o", output, "--quality", "fast", "--qp", "37", "--preset", "ultrafast", .. extra]);

        Assert.True(run.ExitCode == 0, run.Error);
        string side = CliHarness.Ffprobe("-read_intervals", "%+#1", "-select_streams", "v", "-show_frames", "-show_entries", "frame=side_data_list", "-of", "compact", output);
        Assert.Contains($"max_luminance={expected * 10000}/10000", side);
        var cll = System.Text.RegularExpressions.Regex.Match(side, @"max_content=(\d+)");
        Assert.True(cll.Success, side);
        Assert.InRange(int.Parse(cll.Groups[1].Value), 1, expected);
    }

    // --transfer hlg: tagged arib-std-b67 with no HDR10 static metadata, and SDR white placed by BT.2408 (203 cd/m²) lands on
    // BT.2408's HLG reference white, 75 % (10-bit Y' = 64 + 0.75·876 = 721), where PQ puts it at 58 % (Y' 573).
    [Theory]
    [InlineData("pq", "smpte2084", 573)]
    [InlineData("hlg", "arib-std-b67", 721)]
    public async Task Convert_Transfer_TagsTheFile_AndPutsReferenceWhiteWhereBT2408Says(string transfer, string tag, int whiteCode)
    {
        string dir = CliHarness.TempFolder();
        string clip = Path.Combine(dir, "white.mp4");
        CliHarness.Ffmpeg("-f", "lavfi", "-i", "color=c=white:size=64x48:rate=25", "-frames:v", "2",
            "-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p", "-c:v", "libx264", "-qp", "0",
            "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv", clip);
        string output = Path.Combine(dir, "out.mkv");

        var run = await CliHarness.Run("convert", clip, "-o", output, "--method", "bt2408", "--transfer", transfer, "--preset", "ultrafast", "--crf", "0");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains($"color_space=bt2020nc|color_transfer={tag}|color_primaries=bt2020",
            CliHarness.Ffprobe("-show_entries", "stream=color_primaries,color_transfer,color_space", "-of", "compact", output));
        string side = CliHarness.Ffprobe("-read_intervals", "%+#1", "-select_streams", "v", "-show_frames", "-show_entries", "frame=side_data_list", "-of", "compact", output);
        Assert.Equal(transfer == "pq", side.Contains("Mastering display metadata"));
        string luma = Path.Combine(dir, "y.raw");
        CliHarness.Ffmpeg("-i", output, "-frames:v", "1", "-vf", "extractplanes=y", "-f", "rawvideo", "-pix_fmt", "gray10le", luma);
        byte[] y = File.ReadAllBytes(luma);
        Assert.InRange(BitConverter.ToUInt16(y, 2 * (24 * 64 + 32)), whiteCode - 2, whiteCode + 2);
    }

    // An odd-sized still keeps its size in --frames-out (the network sees every pixel); only the HDR10 file, which 4:2:0
    // needs even, loses the last column and row, and the summary says so.
    [Fact]
    public async Task Convert_OddSize_KeepsItsSizeInFramesOut_AndOnlyTheEncoderCrops()
    {
        string dir = CliHarness.TempFolder();
        string still = Path.Combine(dir, "odd.png");
        // lavfi sources and yuv420p round sizes to even: crop in RGB.
        CliHarness.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x104", "-vf", "format=rgb24,crop=157:101:0:0", "-frames:v", "1", still);
        string output = Path.Combine(dir, "out.mkv"), frames = Path.Combine(dir, "frames");

        var run = await CliHarness.Run("convert", still, "-o", output, "--frames-out", frames, "--quality", "fast", "--qp", "37", "--preset", "ultrafast");

        Assert.True(run.ExitCode == 0, run.Error);
        var png = HdrUp.Media.Png16.Read(Assert.Single(Directory.GetFiles(frames, "*.png")));
        Assert.Equal((157, 101), (png.Width, png.Height));
        Assert.Contains("width=156|height=100", CliHarness.Ffprobe("-show_entries", "stream=width,height", "-of", "compact", output));
        Assert.Contains("157×101 is odd; encoded as 156×100", run.Output);
    }

    [Fact]
    public async Task Convert_TransferHlg_RefusesAPeakAboveHlgsDisplay()
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir, frames: 1);

        var run = await CliHarness.Run("convert", clip, "-o", Path.Combine(dir, "out.mkv"), "--method", "bt2408", "--transfer", "hlg", "--peak", "4000");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("hdrup: error: --transfer hlg with --peak 4000: HLG is converted for a 1000 cd/m² display; use --peak 1000 or less", run.Error.Trim());
        Assert.Equal(["clip.mp4"], Directory.GetFileSystemEntries(dir).Select(p => Path.GetFileName(p)!).ToArray());
    }

    [Fact]
    public async Task Convert_RefusesToOverwrite_WithoutForce()
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir);
        string output = Path.Combine(dir, "out.mkv");
        File.WriteAllText(output, "precious");

        var run = await CliHarness.Run("convert", clip, "-o", output, "--method", "bt2408");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("hdrup: error: out.mkv: already exists; pass --force to overwrite it", run.Error.Trim());
        Assert.Equal("precious", File.ReadAllText(output));
    }

    [Theory]
    [InlineData("missing.mp4", null, "missing.mp4: file not found")]
    [InlineData("empty.mp4", "", "empty.mp4: file is empty")]
    [InlineData("notes.mp4", "hello, this is not a video\n", "notes.mp4: not a video or image file")]
    public async Task Convert_BadInput_IsOneErrorLine_AndNoOutput(string name, string? content, string expected)
    {
        string dir = CliHarness.TempFolder();
        string input = Path.Combine(dir, name);
        if (content is not null) File.WriteAllText(input, content);
        string output = Path.Combine(dir, "out.mkv");

        var run = await CliHarness.Run("convert", input, "-o", output, "--method", "bt2408");

        Assert.Equal(1, run.ExitCode);
        string[] lines = run.Error.Trim().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith($"hdrup: error: {expected}", lines[0]);
        Assert.False(File.Exists(output));
    }

    // --max-memory picks the network's tiles and the summary names them with their predicted peak, then the measured one. The
    // fast model on ONNX Runtime at 640×360 (PeakMemoryModel: 303 MiB + 291 B per tile pixel + 200 per frame pixel) needs
    // 411 MiB whole; under 400 MiB two full-height 360-px tiles (383 MiB), under 380 MiB 212-px tiles, 4×2 (359 MiB).
    [Fact]
    public async Task Convert_MaxMemory_ChoosesTheTiles_AndTheSummaryNamesThem()
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir, width: 640, height: 360, frames: 2);
        string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

        var strips = await CliHarness.Run("convert", clip, "-o", Path.Combine(dir, "a.mkv"), "--quality", "fast", "--qp", "37", "--max-memory", "400M", "--preset", "ultrafast");
        Assert.True(strips.ExitCode == 0, strips.Error);
        Assert.Contains("ONNX Runtime; 360-px tiles, 2 a frame computing 1.13× its pixels (predicted peak 383 MiB within the 400 MiB --max-memory)", Flat(strips.Output));
        Assert.Matches(@"│ memory\s+│ peak \d+(\.\d)? [MG]iB \(predicted 383 MiB\)", strips.Output);

        var tiles = await CliHarness.Run("convert", clip, "-o", Path.Combine(dir, "b.mkv"), "--quality", "fast", "--qp", "37", "--max-memory", "0.37G", "--preset", "ultrafast");
        Assert.True(tiles.ExitCode == 0, tiles.Error);
        Assert.Contains("ONNX Runtime; 212-px tiles, 8 a frame computing 1.56× its pixels (predicted peak 359 MiB within the 379 MiB --max-memory)", Flat(tiles.Output));

        var whole = await CliHarness.Run("convert", clip, "-o", Path.Combine(dir, "c.mkv"), "--quality", "fast", "--qp", "37", "--preset", "ultrafast");
        Assert.True(whole.ExitCode == 0, whole.Error);
        Assert.Contains("ONNX Runtime; whole frames (predicted peak 411 MiB within the ", Flat(whole.Output));
        Assert.Contains(" default budget)", Flat(whole.Output));
    }

    // A size --max-memory cannot read is one error line naming the option, before the input is even opened.
    [Theory]
    [InlineData("3X", "--max-memory 3X: expected a size with a unit, e.g. 3G or 1500M")]
    [InlineData("2048", "--max-memory 2048: expected a size with a unit, e.g. 3G or 1500M")]
    [InlineData("0G", "--max-memory 0G: must be more than zero")]
    public async Task Convert_BadMaxMemory_IsOneErrorLine(string value, string expected)
    {
        var run = await CliHarness.Run("convert", Path.Combine(CliHarness.TempFolder(), "missing.mp4"), "--max-memory", value);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"hdrup: error: {expected}", run.Error.Trim());
    }

    [Fact]
    public async Task Convert_RefusesHdrInput_UnlessAllowed()
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir);
        string hdr = Path.Combine(dir, "hdr.mkv");
        Assert.Equal(0, (await CliHarness.Run("convert", clip, "-o", hdr, "--method", "bt2408", "--preset", "ultrafast")).ExitCode);

        var refused = await CliHarness.Run("convert", hdr, "-o", Path.Combine(dir, "again.mkv"), "--method", "bt2408");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("already HDR (transfer smpte2084)", refused.Error);

        var allowed = await CliHarness.Run("convert", hdr, "-o", Path.Combine(dir, "again.mkv"), "--method", "bt2408", "--allow-hdr-input", "--preset", "ultrafast");
        Assert.True(allowed.ExitCode == 0, allowed.Error);
    }

    [Fact]
    public async Task Convert_WithoutShippedWeights_OrWithABadModelFile_SaysWhatToDo()
    {
        string dir = CliHarness.TempFolder();
        string clip = CliHarness.MakeSdrClip(dir);
        string bogus = Path.Combine(dir, "weights.safetensors");
        File.WriteAllText(bogus, "not weights");

        var run = await CliHarness.Run("convert", clip, "-o", Path.Combine(dir, "out.mkv"), "--model", bogus);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("hdrup: error: ", run.Error);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.False(File.Exists(Path.Combine(dir, "out.mkv")));
    }
}
