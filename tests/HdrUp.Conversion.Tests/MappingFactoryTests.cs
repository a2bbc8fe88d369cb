using HdrUp.Color;
using HdrUp.Media;
using HdrUp.Media.Tests;
using HdrUp.Models.Precision;
using HdrUp.TestSupport;

namespace HdrUp.Conversion.Tests;

/// <summary>The rules MappingFactory owns: tiles, colour lock, peak roll-off, backend and precision, and the resume signature.</summary>
public class MappingFactoryTests
{
    private static readonly Lazy<MediaInfo> Clip = new(() => MediaProbe.Probe(TestClips.SdrClip(TestClips.TempFolder(), frames: 2)));

    private static string FastQp37 => Path.Combine(Repo.Root, "models", "kpnet-fast-qp37.safetensors");

    // Whole frames up to 1920×1088 (1080p padded to KPNet's multiple of 16), 512-px tiles above; an explicit --tile wins.
    [Theory]
    [InlineData(1920, 1080, 0, 0)]
    [InlineData(1920, 1088, 0, 0)]
    [InlineData(2560, 1440, 0, 512)]
    [InlineData(3840, 2160, 0, 512)]
    [InlineData(640, 360, 256, 256)]
    public void TileFor_runs_whole_frames_up_to_1080p(int width, int height, int requested, int tile) =>
        Assert.Equal(tile, MappingFactory.TileFor(width, height, requested));

    // The formulas keep their published colours unless asked; BT.2446 A (SDR white → 1000 cd/m²) is rolled off below a
    // 600 cd/m² peak; BT.2408 changes no colour, so it is never hue-locked.
    [Fact]
    public void Formulas_keep_their_colours_and_are_rolled_off_below_the_peak()
    {
        using (var a = MappingFactory.Create(new MappingRequest { Method = MappingMethod.Bt2446a, Peak = 600 }, Clip.Value))
        {
            Assert.Equal("bt2446a,peak-600", a.Signature);
            Assert.IsType<PeakLimitedMapper>(a.Mapper);
            Assert.Contains("rolled off from 450 to 600 cd/m²", a.Choice);
            Assert.Null(a.Qp);
        }
        using (var a = MappingFactory.Create(new MappingRequest { Method = MappingMethod.Bt2446a, Colour = ColourSource.Keep }, Clip.Value))
            Assert.Equal("bt2446a,colour-keep", a.Signature);
        using (var b = MappingFactory.Create(new MappingRequest { Method = MappingMethod.Bt2408, Colour = ColourSource.Keep }, Clip.Value))
        {
            Assert.Equal("bt2408", b.Signature);
            Assert.IsType<Bt2408SdrMapper>(b.Mapper);
        }
    }

    // A network is hue-locked by default and, having no known peak, always rolled off below the display's; auto picks ONNX Runtime for fp32 and libtorch for bf16 (ONNX Runtime runs fp32 and int8),
    // and precision is part of the signature, so a bf16 run never resumes an fp32 cache.
    [Fact]
    public void Network_backend_and_signature_follow_the_precision()
    {
        var request = new MappingRequest { Model = FastQp37, Threads = 1 };
        using var fp32 = MappingFactory.Create(request, Clip.Value);
        Assert.IsType<HueLockedMapper>(Assert.IsType<PeakLimitedMapper>(fp32.Mapper).Inner);
        Assert.Contains(", ONNX Runtime; colours kept from the input (--colour keep); highlights rolled off from 750 to 1000 cd/m²", fp32.Choice);
        Assert.EndsWith(",colour-keep,peak-1000", fp32.Signature);

        using var bf16 = MappingFactory.Create(request with { Precision = NumericPrecision.Bf16 }, Clip.Value);
        Assert.Contains(", libtorch in bf16", bf16.Choice);
        Assert.NotEqual(fp32.Signature, bf16.Signature);

        using var raw = MappingFactory.Create(request with { Colour = ColourSource.Model, Backend = "torch" }, Clip.Value);
        Assert.IsType<NetworkFrameMapper>(Assert.IsType<PeakLimitedMapper>(raw.Mapper).Inner);
        Assert.Equal(ConvertJob.MakeSignature("network", ConvertJob.FileHash(FastQp37), "", "0", "Torch") + ",peak-1000", raw.Signature);

        var refused = Assert.Throws<ArgumentException>(() => MappingFactory.Create(request with { Backend = "onnx", Precision = NumericPrecision.Bf16 }, Clip.Value));
        Assert.Equal("--backend onnx runs fp32 and int8; --precision bf16 needs --backend torch", refused.Message);
    }

    // int8 runs the int8 graph on ONNX Runtime, calibrated (without $HDRUP_DATA) on the sample clip's frames, and its
    // signature names the precision and the calibration frames, so it never resumes an fp32 run or one calibrated otherwise.
    [Fact]
    public void Int8_runs_on_onnx_runtime_and_its_signature_names_the_calibration()
    {
        var request = new MappingRequest { Model = FastQp37, Threads = 1, Colour = ColourSource.Model, Precision = NumericPrecision.Int8 };
        using var int8 = MappingFactory.Create(request, Clip.Value);
        Assert.Contains(", ONNX Runtime in int8 (calibrated on 8 frames of city.mp4)", int8.Choice);
        var mapper = Assert.IsType<NetworkFrameMapper>(Assert.IsType<PeakLimitedMapper>(int8.Mapper).Inner);
        Assert.Equal(HdrUp.Models.Inference.InferenceBackend.Onnx, mapper.Backend);
        string identity = CalibrationFrames.FromClip(CalibrationFrames.SamplePath).Identity;
        Assert.Equal(ConvertJob.MakeSignature("network", ConvertJob.FileHash(FastQp37), "", "0", "Onnx", "int8", identity) + ",peak-1000", int8.Signature);
        using var fp32 = MappingFactory.Create(request with { Precision = NumericPrecision.Fp32 }, Clip.Value);
        Assert.NotEqual(fp32.Signature, int8.Signature);
    }

    [Fact]
    public void Int8_and_auto_are_refused_in_one_line_where_they_cannot_run()
    {
        var request = new MappingRequest { Model = FastQp37, Threads = 1, Precision = NumericPrecision.Int8 };
        Assert.Equal("--precision int8 runs on ONNX Runtime; use --backend onnx or auto",
            Assert.Throws<ArgumentException>(() => MappingFactory.Create(request with { Backend = "torch" }, Clip.Value)).Message);
        Assert.StartsWith("--precision auto chooses the backend",
            Assert.Throws<ArgumentException>(() => MappingFactory.Create(request with { Precision = NumericPrecision.Auto, Backend = "onnx" }, Clip.Value)).Message);

        string dir = Directory.CreateTempSubdirectory("hdrup-int8-csrnet-").FullName;
        try
        {
            string csrnet = Path.Combine(dir, "csrnet.safetensors");
            using (var network = HdrUp.Models.ArchRegistry.Create("csrnet")) HdrUp.Models.Checkpoints.ModelStore.Save(network, "csrnet", csrnet);
            var e = Assert.Throws<ArgumentException>(() => MappingFactory.Create(request with { Model = csrnet }, Clip.Value));
            Assert.Equal("--precision int8: csrnet.safetensors is a CSRNet, which has no ONNX export (int8 runs on ONNX Runtime); use --precision fp32 or bf16", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // Without a dataset to measure the loss on, auto cannot show bf16 or int8 within the limits: fp32, said in the choice.
    [Fact]
    public void Auto_without_a_dataset_is_fp32_on_onnx_runtime()
    {
        using var auto = MappingFactory.Create(new MappingRequest { Model = FastQp37, Threads = 1, Precision = NumericPrecision.Auto }, Clip.Value);
        Assert.Contains(", ONNX Runtime (precision auto: fp32, as no test split at QP 37 was given", auto.Choice);
        Assert.DoesNotContain(" in fp32", auto.Choice);
    }
}
