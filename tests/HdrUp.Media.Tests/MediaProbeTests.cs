namespace HdrUp.Media.Tests;

public class MediaProbeTests
{
    [Fact]
    public void Sample_clip_facts_match_its_readme()
    {
        // samples/README.md: H.264 High 480×270, 25 fps, 75 frames, 3.00 s, BT.709 tags, AAC audio.
        MediaInfo info = MediaProbe.Probe(Repo.Sample);

        Assert.Equal("h264", info.Codec);
        Assert.Equal((480, 270), (info.Width, info.Height));
        Assert.Equal(new Rational(1, 1), info.SampleAspectRatio);
        Assert.Equal(0, info.Rotation);
        Assert.Equal(new Rational(25, 1), info.FrameRate);
        Assert.False(info.IsVariableFrameRate);
        Assert.Equal(75, info.FrameCount);
        Assert.True(info.FrameCountIsExact);
        Assert.Equal(3.0, info.Duration, 3);
        Assert.Equal("yuv420p", info.PixelFormat);
        Assert.Equal(8, info.BitDepth);
        Assert.Equal("tv", info.ColorRange);
        Assert.Equal("bt709", info.ColorSpace);
        Assert.Equal("bt709", info.ColorPrimaries);
        Assert.Equal("bt709", info.ColorTransfer);
        Assert.False(info.IsHdr);
        Assert.True(info.HasAudio);
        Assert.Equal(["aac"], info.AudioCodecs);
        Assert.False(info.HasSubtitles);
        Assert.False(info.HasChapters);
        Assert.False(info.IsImage);
    }

    [Fact]
    public void Rotation_and_pixel_shape_give_the_display_size()
    {
        using var temp = new TempFolder();
        string plain = temp.File("plain.mp4"), rotated = temp.File("rotated.mp4");
        // 64×48 with 2:1 pixels shows as 128×48; the rotate tag becomes a display matrix in MP4.
        Cli.Ffmpeg("-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=s=64x48:r=10:d=0.3", "-vf", "setsar=2/1",
            "-c:v", "libx264", "-preset", "ultrafast", plain);
        Cli.Ffmpeg("-loglevel", "error", "-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated);

        MediaInfo straight = MediaProbe.Probe(plain);
        MediaInfo turned = MediaProbe.Probe(rotated);

        Assert.Equal(new Rational(2, 1), straight.SampleAspectRatio);
        Assert.Equal((128, 48), straight.DisplaySize);
        // ffmpeg 5.1 writes the tag's angle as a counter-clockwise display matrix (ffprobe "rotation": 90),
        // which a player shows turned 270° clockwise.
        Assert.Equal(new DisplayOrientation(270, false), turned.Orientation);
        Assert.Equal(270, turned.Rotation);
        Assert.Equal("progressive", turned.FieldOrder);
        Assert.Equal(0, turned.VideoStartTime);
        // A quarter turn makes the 2:1 pixels 1:2: 48 wide × 64 tall becomes 24 × 64 square pixels.
        Assert.Equal((24, 64), turned.DisplaySize);
    }

    [Fact]
    public void Hdr10_tags_are_recognised()
    {
        using var temp = new TempFolder();
        string path = temp.File("pq.mkv");
        Cli.Ffmpeg("-loglevel", "error", "-f", "lavfi", "-i", "color=c=gray:s=64x48:r=10:d=0.2",
            "-pix_fmt", "yuv420p10le", "-c:v", "libx265", "-x265-params", "log-level=error",
            "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc", path);

        MediaInfo info = MediaProbe.Probe(path);

        Assert.True(info.IsHdr);
        Assert.Equal("smpte2084", info.ColorTransfer);
        Assert.Equal(10, info.BitDepth);
        Assert.False(info.HasAudio);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var e = Assert.Throws<FileNotFoundException>(() => MediaProbe.Probe("/nonexistent/city.mp4"));
        Assert.Equal("city.mp4: file not found", e.Message);
    }

    [Fact]
    public void Empty_file_is_named()
    {
        using var temp = new TempFolder();
        string path = temp.File("x.mp4");
        File.WriteAllBytes(path, []);
        var e = Assert.Throws<InvalidDataException>(() => MediaProbe.Probe(path));
        Assert.Equal("x.mp4: file is empty", e.Message);
    }

    [Fact]
    public void Text_file_renamed_mp4_is_called_text()
    {
        using var temp = new TempFolder();
        string path = temp.File("notes.mp4");
        File.WriteAllText(path, "shopping list: milk, eggs\n");
        var e = Assert.Throws<InvalidDataException>(() => MediaProbe.Probe(path));
        Assert.Equal("notes.mp4: not a video or image file (it contains text)", e.Message);
    }

    [Fact]
    public void Truncated_mp4_without_its_index_is_truncated()
    {
        using var temp = new TempFolder();
        string path = temp.File("cut.mp4");
        // The sample is faststart (index first); ffmpeg's default MP4 has the moov index at the end,
        // so the first half of such a file has no index at all.
        Cli.Ffmpeg("-loglevel", "error", "-i", Repo.Sample, "-c", "copy", "-y", temp.File("tail.mp4"));
        byte[] tailIndexed = File.ReadAllBytes(temp.File("tail.mp4"));
        File.WriteAllBytes(path, tailIndexed[..(tailIndexed.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => MediaProbe.Probe(path));
        Assert.Equal("cut.mp4: truncated or unreadable (ffprobe: moov atom not found)", e.Message);
    }

    [Fact]
    public void Audio_only_file_has_no_video_stream()
    {
        using var temp = new TempFolder();
        string path = temp.File("city.m4a");
        Cli.Ffmpeg("-loglevel", "error", "-i", Repo.Sample, "-vn", "-c:a", "copy", path);
        var e = Assert.Throws<InvalidDataException>(() => MediaProbe.Probe(path));
        Assert.Equal("city.m4a: no video stream", e.Message);
    }

    [Fact]
    public void Missing_ffmpeg_says_how_to_install_it()
    {
        // A variable and a tool name of our own, so the process-wide lookup of other tests is untouched.
        var e = Assert.Throws<FileNotFoundException>(() => Ffmpeg.Find("ffmpeg-hdrup-absent", "HDRUP_TEST_UNSET_VARIABLE"));
        Assert.StartsWith("ffmpeg-hdrup-absent not found: install it with apt-get install ffmpeg", e.Message);

        Environment.SetEnvironmentVariable("HDRUP_TEST_FFMPEG_PATH", "/nonexistent/ffmpeg");
        var fromVariable = Assert.Throws<FileNotFoundException>(() => Ffmpeg.Find("ffmpeg", "HDRUP_TEST_FFMPEG_PATH"));
        Assert.Equal("ffmpeg not found: HDRUP_TEST_FFMPEG_PATH=/nonexistent/ffmpeg does not exist", fromVariable.Message);
    }
}
