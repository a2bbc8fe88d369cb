using HdrUp.Color;
using HdrUp.Conversion.Delivery;
using HdrUp.Core;
using HdrUp.TestSupport;

namespace HdrUp.Conversion.Tests;

/// <summary>ConvertJob's resume (a killed run continues from its cached frames) and the frame observer the delivery outputs hang on.</summary>
public class ConvertJobTests
{
    /// <summary>Stops the job after a number of mapped frames, as a kill would.</summary>
    private sealed class InterruptingMapper(IFrameMapper inner, int stopAfter, CancellationTokenSource stop) : IFrameMapper
    {
        private int _mapped;
        public string Name => inner.Name;
        public RgbPlanarFrame Map(RgbPlanarFrame input, CancellationToken cancellationToken = default)
        {
            if (++_mapped > stopAfter)
            {
                stop.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
            }
            return inner.Map(input, cancellationToken);
        }
    }

    [Fact]
    public void InterruptedConversion_Resumes_AndGivesTheSameFileAsAnUninterruptedRun()
    {
        string dir = TestClips.TempFolder();
        string clip = TestClips.SdrClip(dir, frames: 12);
        string whole = Path.Combine(dir, "whole.mkv");
        string resumed = Path.Combine(dir, "resumed.mkv");
        ConvertRequest Request(string output, IFrameMapper mapper) => new()
        {
            Input = clip, Output = output, Mapper = mapper, Signature = "bt2446a", Preset = "ultrafast",
        };

        var first = ConvertJob.Run(Request(whole, new Bt2446AInverseMapper()));

        using var stop = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            ConvertJob.Run(Request(resumed, new InterruptingMapper(new Bt2446AInverseMapper(), 5, stop)), cancellationToken: stop.Token));
        Assert.False(File.Exists(resumed));
        Assert.True(Directory.Exists(ConvertJob.WorkFolder(resumed)));

        var second = ConvertJob.Run(Request(resumed, new Bt2446AInverseMapper()));

        Assert.Equal(12, second.Frames);
        Assert.Equal(5, second.ResumedFrames); // the five frames mapped before the stop were all kept
        Assert.Equal(first.LightLevel, second.LightLevel);
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(resumed));
        Assert.False(Directory.Exists(ConvertJob.WorkFolder(resumed)));
    }

    private sealed class Recorder : IFrameObserver
    {
        public List<(int Index, double Sdr, double Pq)> Seen { get; } = [];
        public void Observe(int index, RgbPlanarFrame sdr, RgbPlanarFrame pq) => Seen.Add((index, sdr.Data.Sum(v => (double)v), pq.Data.Sum(v => (double)v)));
    }

    // Frames resumed from the cache have no fresh mapping, but their input is decoded again: the observer of a
    // resumed run sees the same (SDR, PQ) pairs, in order, as the observer of an uninterrupted one.
    [Fact]
    public void Observer_SeesTheSamePairs_WhenARunResumes()
    {
        string dir = TestClips.TempFolder();
        string clip = TestClips.SdrClip(dir, frames: 10);
        ConvertRequest Request(string output, IFrameMapper mapper, IFrameObserver observer) => new()
        {
            Input = clip, Output = output, Mapper = mapper, Signature = "bt2446a", Preset = "ultrafast", Observer = observer,
        };
        var whole = new Recorder();
        ConvertJob.Run(Request(Path.Combine(dir, "whole.mkv"), new Bt2446AInverseMapper(), whole));

        string resumedFile = Path.Combine(dir, "resumed.mkv");
        using var stop = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            ConvertJob.Run(Request(resumedFile, new InterruptingMapper(new Bt2446AInverseMapper(), 4, stop), new Recorder()), cancellationToken: stop.Token));
        var resumed = new Recorder();
        var result = ConvertJob.Run(Request(resumedFile, new Bt2446AInverseMapper(), resumed));

        Assert.Equal(4, result.ResumedFrames);
        Assert.Equal(Enumerable.Range(0, 10), whole.Seen.Select(s => s.Index));
        Assert.Equal(whole.Seen, resumed.Seen);
    }


    // Hue drift is measured on every pixel up to 250 000 a frame, above that on a grid that keeps about as many:
    // 480×270 → 1, 1920×1080 (2.07 M) → 3 (230 400), 3840×2160 → 6.
    [Theory]
    [InlineData(480 * 270, 1)]
    [InlineData(720 * 576, 2)]
    [InlineData(1920 * 1080, 3)]
    [InlineData(3840 * 2160, 6)]
    public void HueDrift_IsSampledOnAGridAboveItsPixelBudget(int pixels, int stride)
    {
        Assert.Equal(stride, DeliveryObserver.StrideFor(pixels));
        var frame = new RgbPlanarFrame(5, 4);
        for (int i = 0; i < frame.Data.Length; i++) frame.Data[i] = i;
        var sample = DeliveryObserver.Sample(frame, 2);
        Assert.Equal((3, 2), (sample.Width, sample.Height));
        Assert.Equal([0f, 2, 4, 10, 12, 14], sample.Plane(0).ToArray());
        Assert.Equal([20f, 22, 24, 30, 32, 34], sample.Plane(1).ToArray());
    }
}
