using HdrUp.Media;
using HdrUp.Training.Dataset;

namespace HdrUp.Training.Tests;

/// <summary>The environment is process-wide: these tests run alone, not beside others that start ffmpeg.</summary>
[CollectionDefinition(nameof(FfmpegEnvironment), DisableParallelization = true)]
public sealed class FfmpegEnvironment;

/// <summary>
/// The dataset path starts ffmpeg and ffprobe where <c>HDRUP_FFMPEG</c> / <c>HDRUP_FFPROBE</c> say, like convert does:
/// wrappers that log their command line and exec the real tools stand in for them during a build.
/// </summary>
[Collection(nameof(FfmpegEnvironment))]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DatasetFfmpegPathTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hdrup-ds-env-").FullName;
    private readonly string? _ffmpeg = Environment.GetEnvironmentVariable(Ffmpeg.FfmpegVariable);
    private readonly string? _ffprobe = Environment.GetEnvironmentVariable(Ffmpeg.FfprobeVariable);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Ffmpeg.FfmpegVariable, _ffmpeg);
        Environment.SetEnvironmentVariable(Ffmpeg.FfprobeVariable, _ffprobe);
        Directory.Delete(_root, recursive: true);
    }

    private string Wrapper(string tool, string real)
    {
        string script = Path.Combine(_root, $"logging-{tool}");
        File.WriteAllText(script, $"#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{script}.log'\nexec '{real}' \"$@\"\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    private DatasetBuildOptions Options() => DatasetBuilderTests.SmallBuild(Path.Combine(_root, "sources"), Path.Combine(_root, "out"), 47);

    [Fact]
    public async Task Build_runs_every_ffmpeg_and_ffprobe_through_the_configured_paths()
    {
        DatasetBuilderTests.WriteExr(Path.Combine(_root, "sources", "pano.exr"), 512, 256, 1);
        string ffmpeg = Wrapper("ffmpeg", Ffmpeg.FfmpegPath), ffprobe = Wrapper("ffprobe", Ffmpeg.FfprobePath);
        Environment.SetEnvironmentVariable(Ffmpeg.FfmpegVariable, ffmpeg);
        Environment.SetEnvironmentVariable(Ffmpeg.FfprobeVariable, ffprobe);

        var built = await DatasetBuilder.BuildAsync(Options());

        // One train frame × (HDR + uncompressed SDR + qp47).
        Assert.Equal(3, built.FilesWritten);
        string[] ran = File.ReadAllLines(ffmpeg + ".log");
        // The EXR decode, the batched SDR PNG writer, the x265 encoder and its decoder: all four stages.
        Assert.Contains(ran, l => l.Contains("pano.exr"));
        Assert.Contains(ran, l => l.Contains("-pix_fmt rgb24") && l.Contains("uncompressed") && l.EndsWith("%06d.png"));
        Assert.Contains(ran, l => l.Contains("-c:v libx265") && l.Contains("qp=47"));
        Assert.Contains(ran, l => l.Contains(".hevc -vf") && l.EndsWith("%06d.png"));
        // Without a manifest each source is probed, by ffprobe from HDRUP_FFPROBE.
        Assert.Contains(File.ReadAllLines(ffprobe + ".log"), l => l.Contains("pano.exr"));
    }

    [Fact]
    public async Task Build_with_a_missing_configured_ffmpeg_fails_naming_the_variable()
    {
        DatasetBuilderTests.WriteExr(Path.Combine(_root, "sources", "pano.exr"), 512, 256, 1);
        string missing = Path.Combine(_root, "no-such-ffmpeg");
        Environment.SetEnvironmentVariable(Ffmpeg.FfmpegVariable, missing);
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => DatasetBuilder.BuildAsync(Options()));
        Assert.Equal($"ffmpeg not found: HDRUP_FFMPEG={missing} does not exist", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "out", "train_hdr")));
    }
}
