using HdrUp.Color;
using HdrUp.Media;
using HdrUp.Media.Tests;
using HdrUp.Models.Inference;
using HdrUp.Models.Precision;
using HdrUp.TestSupport;

namespace HdrUp.Conversion.Tests;

/// <summary>The rules MappingFactory owns: tiles, colour lock, peak roll-off, backend and precision, and the resume signature.</summary>
public class MappingFactoryTests
{
    private static readonly Lazy<MediaInfo> Clip = new(() => MediaProbe.Probe(TestClips.SdrClip(TestClips.TempFolder(), frames: 2)));

    private static string FastQp37 => Path.Combine(Repo.Root, "models", "kpnet-fast-qp37.safetensors");

    // A made-up cost, so the rule is tested apart from the measured ones: 500 MiB fixed, 4000 B per tile pixel, 200 per frame
    // pixel, KPNet's multiple of 8. Expected tiles worked out by hand with FrameInference.TileStarts' spreading (64-px overlap):
    // 1080p whole needs 500 MiB + 4000·2,073,600 + 200·2,073,600 = 9,233,408,000 B; under 6 GiB two full-height 1080-px strips
    // (1.125× the pixels) beat every larger edge; under 3 GiB the edges that fit run up to 752, but 576 px packs 4×2 tiles
    // (1.28×) where 752 needs 3×2 (1.63×); at 4K under 3 GiB 488 px packs 9×5 (1.29×).
    private static readonly PeakMemoryModel Made = new(500L << 20, 4000, 200);

    [Theory]
    [InlineData(1920, 1080, 10240, 0, 1, 9_233_408_000)]
    [InlineData(1920, 1080, 6144, 1080, 2, 5_604_608_000)]
    [InlineData(1920, 1080, 3072, 576, 8, 2_266_112_000)]
    [InlineData(1920, 1080, 1536, 408, 18, 1_604_864_000)]
    [InlineData(1920, 1080, 1024, 168, 180, 1_051_904_000)]
    [InlineData(3840, 2160, 3072, 488, 45, 3_135_744_000)]
    [InlineData(3840, 2160, 6144, 824, 15, 4_899_072_000)]
    [InlineData(640, 360, 3072, 0, 1, 1_491_968_000)]
    public void TileFor_takes_the_whole_frame_or_the_least_work_that_fits(int width, int height, int budgetMiB, int tile, int count, long predicted)
    {
        var plan = MappingFactory.TileFor(width, height, Made, (long)budgetMiB << 20, 8);
        Assert.Equal((tile, count, predicted), (plan.Tile, plan.Count, plan.PredictedBytes));
        Assert.True(plan.Fits);
    }

    // The measured models under the 3 GiB default: full KPNet on ONNX Runtime takes 576-px tiles in fp32 (its line puts a whole
    // 1080p frame at 5.9 GiB), whole frames in int8: 171 MiB + 1080 B · 2,073,600 + 200 B · 2,073,600 = 2,833,514,496 B.
    [Fact]
    public void Int8_KPNet_runs_whole_1080p_frames_where_fp32_needs_tiles()
    {
        var fp32 = MappingFactory.TileFor(1920, 1080, PeakMemoryModel.For("kpnet", InferenceBackend.Onnx), 3L << 30, 8);
        var int8 = MappingFactory.TileFor(1920, 1080, PeakMemoryModel.For("kpnet", InferenceBackend.Onnx, NumericPrecision.Int8), 3L << 30, 8);
        Assert.Equal((576, 8), (fp32.Tile, fp32.Count));
        Assert.Equal((0, 2_833_514_496L), (int8.Tile, int8.PredictedBytes));
        // Where int8 was not measured, fp32's figures bound it.
        Assert.Equal(PeakMemoryModel.For("kpnet-half-nf32", InferenceBackend.Onnx), PeakMemoryModel.For("kpnet-half-nf32", InferenceBackend.Onnx, NumericPrecision.Int8));
    }

    // Nothing fits 900 MiB (even 128-px tiles need 1,004,544,000 B): the smallest tile, marked as not fitting. An explicit tile wins
    // over any budget, with its own prediction; one no larger than the overlap is refused.
    [Fact]
    public void TileFor_falls_back_to_the_smallest_tile_and_obeys_an_explicit_one()
    {
        var tight = MappingFactory.TileFor(1920, 1080, Made, 900L << 20, 8);
        Assert.Equal((128, 1_004_544_000L, false), (tight.Tile, tight.PredictedBytes, tight.Fits));

        var asked = MappingFactory.TileFor(1920, 1080, Made, 100L << 30, 8, requested: 512);
        Assert.Equal((512, 15, 500L * (1 << 20) + 4000L * 512 * 512 + 200L * 1920 * 1080), (asked.Tile, asked.Count, asked.PredictedBytes));

        var refused = Assert.Throws<ArgumentException>(() => MappingFactory.TileFor(1920, 1080, Made, 3L << 30, 8, requested: 60));
        Assert.Equal("--tile 60: must be more than the 64-px overlap between tiles", refused.Message);
    }

    // --grade chooses among the shipped models; with a weights file of one's own it would be ignored, so it is refused.
    [Fact]
    public void Grade_is_refused_with_a_weights_file()
    {
        var refused = Assert.Throws<ArgumentException>(() => MappingFactory.Create(new MappingRequest { Model = FastQp37, Grade = Grade.Bt2446c }, Clip.Value));
        Assert.Equal("--grade bt2446c picks among the shipped models; leave it out with --model kpnet-fast-qp37.safetensors", refused.Message);
    }

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
            Assert.Equal("bt2446a,colour-keep-hue", a.Signature);
        using (var a = MappingFactory.Create(new MappingRequest { Method = MappingMethod.Bt2446a, Colour = ColourSource.Exact }, Clip.Value))
        {
            Assert.Equal("bt2446a,colour-exact", a.Signature);
            Assert.Equal(ColourLock.Chromaticity, Assert.IsType<HueLockedMapper>(a.Mapper).Mode);
        }
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
        Assert.Equal(ColourLock.Hue, Assert.IsType<HueLockedMapper>(Assert.IsType<PeakLimitedMapper>(fp32.Mapper).Inner).Mode);
        Assert.Contains(", ONNX Runtime; whole frames (predicted peak ", fp32.Choice);
        Assert.Contains("; hues kept from the input, saturation at least its (--colour keep); highlights rolled off from 750 to 1000 cd/m²", fp32.Choice);
        Assert.EndsWith(",colour-keep-hue,peak-1000", fp32.Signature);

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

    // The budget picks the tiles, the tiles are in the signature (a run with other tiles makes other pixels, so it never resumes
    // this one's cache) and in the summary. The fast model on ONNX Runtime (303 MiB + 291 B per tile pixel + 200 per frame pixel,
    // size multiple 4) at 1080p: whole under 3 GiB (1,335,856,128 B); 1080-px strips under 1 GiB; 572-px tiles, 4×2, under
    // 800 MiB; nothing under 600 MiB, not even 128-px tiles (737,206,272 B), which is an error when the budget was asked for.
    [Fact]
    public void Network_tiles_follow_the_budget_and_change_the_signature()
    {
        var frame = Clip.Value with { Width = 1920, Height = 1080 };
        var request = new MappingRequest { Model = FastQp37, Threads = 1, Colour = ColourSource.Model };
        string Signature(string tile) => ConvertJob.MakeSignature("network", ConvertJob.FileHash(FastQp37), "", tile, "Onnx") + ",peak-1000";

        using var whole = MappingFactory.Create(request with { MaxMemory = 3L << 30 }, frame);
        Assert.Equal((0, 1, 1_335_856_128L), (whole.Tiles!.Tile, whole.Tiles.Count, whole.Tiles.PredictedBytes));
        Assert.Equal(Signature("0"), whole.Signature);
        Assert.Contains("; whole frames (predicted peak 1.2 GiB within the 3.0 GiB --max-memory)", whole.Choice);

        using var strips = MappingFactory.Create(request with { MaxMemory = 1L << 30 }, frame);
        Assert.Equal((1080, 2), (strips.Tiles!.Tile, strips.Tiles.Count));
        Assert.Equal(Signature("1080"), strips.Signature);

        using var tiles = MappingFactory.Create(request with { MaxMemory = 800L << 20 }, frame);
        Assert.Equal((572, 8, 827_649_072L), (tiles.Tiles!.Tile, tiles.Tiles.Count, tiles.Tiles.PredictedBytes));
        Assert.Equal(Signature("572"), tiles.Signature);
        Assert.Contains("; 572-px tiles, 8 a frame computing 1.26× its pixels (predicted peak 789 MiB within the 800 MiB --max-memory)", tiles.Choice);

        var refused = Assert.Throws<ArgumentException>(() => MappingFactory.Create(request with { MaxMemory = 600L << 20 }, frame));
        Assert.Equal("--max-memory 600 MiB: a 1920×1080 frame of kpnet-fast-qp37.safetensors needs about 703 MiB even in 128-px tiles", refused.Message);

        // An explicit tile wins over the budget, and says what it is predicted to cost.
        using var asked = MappingFactory.Create(request with { MaxMemory = 600L << 20, Tile = 256 }, frame);
        Assert.Equal(Signature("256"), asked.Signature);
        Assert.Matches(@"; 256-px tiles, 60 a frame computing 1\.\d\d× its pixels \(--tile 256; predicted peak \d+ MiB, above the 600 MiB --max-memory\)", asked.Choice);
    }
}
