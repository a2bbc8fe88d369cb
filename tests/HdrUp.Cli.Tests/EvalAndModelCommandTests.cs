using System.Text.Json;
using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Media;

namespace HdrUp.Cli.Tests;

public class EvalAndModelCommandTests
{
    private static void WriteUniform(string path, int width, int height, float value)
    {
        var frame = new RgbPlanarFrame(width, height);
        Array.Fill(frame.Data, value);
        Png16.Write(path, frame);
    }

    [Fact]
    public async Task Eval_PngFolders_ReportsPaperMetrics_AndWritesJsonAndCsv()
    {
        string dir = CliHarness.TempFolder();
        string pred = Directory.CreateDirectory(Path.Combine(dir, "pred")).FullName;
        string gt = Directory.CreateDirectory(Path.Combine(dir, "gt")).FullName;
        // Uniform frames 4096 codes apart: MSE = (4096/65535)², PSNR = 20·log10(65535/4096) = 24.0823 dB;
        // neutral greys, so ΔE_ITP = 720·|PQ⁻¹ difference in I| = 720·(4096/65535) = 45.0 (I of a neutral = its PQ value).
        WriteUniform(Path.Combine(pred, "0001.png"), 16, 16, 32768 / 65535f);
        WriteUniform(Path.Combine(gt, "0001.png"), 16, 16, (32768 + 4096) / 65535f);
        string json = Path.Combine(dir, "m.json");
        string csv = Path.Combine(dir, "m.csv");

        var run = await CliHarness.Run("eval", "--pred", pred, "--gt", gt, "--json", json, "--csv", csv);

        Assert.True(run.ExitCode == 0, run.Error);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var mean = doc.RootElement.GetProperty("mean");
        Assert.Equal(20 * Math.Log10(65535.0 / 4096), mean.GetProperty("psnr").GetDouble(), 6);
        Assert.Equal(Math.Pow(4096 / 65535.0, 2), mean.GetProperty("mse").GetDouble(), 9);
        Assert.Equal(720 * 4096 / 65535.0, mean.GetProperty("delta_e_itp").GetDouble(), 3);
        Assert.True(mean.TryGetProperty("ssim", out _));
        Assert.StartsWith("frame,psnr,mse,ssim,delta_e_itp", File.ReadAllText(csv));
        Assert.Equal(2, File.ReadAllLines(csv).Length);
    }

    [Fact]
    public async Task Eval_with_sdr_reports_colour_fidelity_without_ground_truth()
    {
        string dir = CliHarness.TempFolder();
        string sdr = Directory.CreateDirectory(Path.Combine(dir, "sdr")).FullName;
        string pred = Directory.CreateDirectory(Path.Combine(dir, "pred")).FullName;
        // An 8-bit SDR frame made by ffmpeg (colour bars and a gradient), and as "prediction" its BT.2408 placement
        // rounded to 16 bits: the placement is the reference of the hue measure, so only rounding can move the hue.
        CliHarness.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=1", "-frames:v", "1", "-pix_fmt", "rgb24", Path.Combine(sdr, "0001.png"));
        var input = Png16.Read(Path.Combine(sdr, "0001.png"));
        var placed = new Bt2408SdrMapper().Map(input);
        Png16.Write(Path.Combine(pred, "0001.png"), placed);
        // A second prediction with the colours of another hue: R, G, B rotated.
        var rotated = new RgbPlanarFrame(placed.Width, placed.Height);
        placed.Plane(1).CopyTo(rotated.Plane(0)); placed.Plane(2).CopyTo(rotated.Plane(1)); placed.Plane(0).CopyTo(rotated.Plane(2));
        string predRotated = Directory.CreateDirectory(Path.Combine(dir, "rotated")).FullName;
        Png16.Write(Path.Combine(predRotated, "0001.png"), rotated);
        string json = Path.Combine(dir, "c.json");

        var run = await CliHarness.Run("eval", "--pred", pred, "--sdr", sdr, "--json", json);
        var wrong = await CliHarness.Run("eval", "--pred", predRotated, "--sdr", sdr);

        Assert.True(run.ExitCode == 0, run.Error);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var colour = doc.RootElement.GetProperty("colour");
        Assert.InRange(colour.GetProperty("hue_drift_deg").GetDouble(), 0, 0.2);
        Assert.Equal(1.0, colour.GetProperty("chroma_ratio").GetDouble(), 2);
        // testsrc2's bars are fully saturated (a channel at 0 or 1: left out); its gradients and noise are counted.
        long counted = colour.GetProperty("chromatic_pixels").GetInt64();
        Assert.True(counted is > 100 and < 64 * 48, $"{counted} chromatic pixels");
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("mean").ValueKind);
        Assert.Contains("hue drift", run.Output);
        Assert.True(wrong.ExitCode == 0, wrong.Error);
        // Rotating R→B→G→R turns every hue by roughly a third of the circle.
        double drift = double.Parse(System.Text.RegularExpressions.Regex.Match(wrong.Output, @"all 1\s*│\s*([0-9.]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(drift, 60, 180);
    }

    [Fact]
    public async Task Eval_without_gt_or_sdr_is_one_error_line()
    {
        string dir = CliHarness.TempFolder();
        string pred = Directory.CreateDirectory(Path.Combine(dir, "pred")).FullName;
        WriteUniform(Path.Combine(pred, "0001.png"), 16, 16, 0.5f);
        var run = await CliHarness.Run("eval", "--pred", pred);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("hdrup: error: eval needs --gt (reference metrics), --sdr (colour fidelity), or both", run.Error.Trim());
    }

    [Fact]
    public async Task Eval_SizeMismatch_IsOneErrorLine()
    {
        string dir = CliHarness.TempFolder();
        string pred = Directory.CreateDirectory(Path.Combine(dir, "pred")).FullName;
        string gt = Directory.CreateDirectory(Path.Combine(dir, "gt")).FullName;
        WriteUniform(Path.Combine(pred, "0001.png"), 16, 16, 0.5f);
        WriteUniform(Path.Combine(gt, "0001.png"), 24, 16, 0.5f);

        var run = await CliHarness.Run("eval", "--pred", pred, "--gt", gt);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("hdrup: error: 0001: prediction is 16×16 but ground truth 0001 is 24×16", run.Error.Trim());
    }

    [Fact]
    public async Task ModelInfo_PrintsThePapersParameterCount()
    {
        var run = await CliHarness.Run("model", "info", "kpnet");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("1,552,475", run.Output); // spec §5: KPNet total, unused modules included
        Assert.Contains("1,367,835", run.Output); // spec §5: executed parameters
        Assert.Contains("down_fea1", run.Output);
    }

    [Fact]
    public async Task ModelInfo_UnknownName_IsOneErrorLine()
    {
        var run = await CliHarness.Run("model", "info", "no-such-net");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no-such-net: neither an architecture name", run.Error);
    }
}

public class ModelExportTests
{
    [Fact]
    public async Task Export_Fp16_HalvesTheFile_KeepsTheCard_AndLoadsBackClose()
    {
        string dir = CliHarness.TempFolder();
        string source = Path.Combine(dir, "net.safetensors");
        string dest = Path.Combine(dir, "shipped.safetensors");
        using (var network = HdrUp.Models.ArchRegistry.Create("kpnet-single-kib", 16))
            HdrUp.Models.Checkpoints.ModelStore.Save(network, "kpnet-single-kib", source,
                new HdrUp.Models.ModelCard { Architecture = "kpnet-single-kib", Width = 16, Iterations = 7 });

        var run = await CliHarness.Run("model", "export", source, dest, "--fp16", "--qp", "37", "--notes", "test split: 30 dB");

        Assert.True(run.ExitCode == 0, run.Error);
        // fp16 stores 2 bytes per value instead of 4; the JSON header is the same size for both.
        Assert.InRange(new FileInfo(dest).Length, 0.45 * new FileInfo(source).Length, 0.6 * new FileInfo(source).Length);
        var card = HdrUp.Models.ModelCard.Load(HdrUp.Models.ModelCard.PathFor(dest));
        Assert.Equal(37, card.Qp);
        Assert.Equal(7, card.Iterations);
        Assert.Contains("test split: 30 dB", card.Notes);

        var again = await CliHarness.Run("model", "export", source, dest);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Error);
    }

    // --onnx writes the graph of the weights as stored (fp16-rounded here), so ONNX Runtime on it gives what libtorch
    // gives on the shipped file; a network outside the KPNet family is refused before anything is written.
    [Fact]
    public async Task Export_Onnx_WritesTheGraphOfTheStoredWeights_BesideThem()
    {
        string dir = CliHarness.TempFolder();
        string source = Path.Combine(dir, "net.safetensors"), dest = Path.Combine(dir, "shipped.safetensors");
        TorchSharp.torch.random.manual_seed(4);
        using (var network = HdrUp.Models.ArchRegistry.Create("kpnet-nf16"))
            HdrUp.Models.Checkpoints.ModelStore.Save(network, "kpnet-nf16", source, new HdrUp.Models.ModelCard { Architecture = "kpnet-nf16", Width = 16 });

        var run = await CliHarness.Run("model", "export", source, dest, "--fp16", "--onnx");

        Assert.True(run.ExitCode == 0, run.Error);
        string graph = Path.Combine(dir, "shipped.onnx");
        Assert.Contains("shipped.onnx", run.Output);
        using var shipped = HdrUp.Models.Checkpoints.ModelStore.Load(dest).Network;
        Assert.Equal(HdrUp.Models.Onnx.OnnxExport.Export(shipped), File.ReadAllBytes(graph));
        using var runner = new HdrUp.Models.Onnx.OnnxRunner(File.ReadAllBytes(graph), threads: 1);
        var frame = Enumerable.Range(0, 3 * 16 * 24).Select(i => (float)(i % 17) / 17).ToArray();
        float[] onnx = runner.Run(frame, 24, 16);
        float[] torch = new HdrUp.Models.Inference.FrameInference(shipped).Run(frame, 24, 16);
        Assert.InRange(onnx.Zip(torch, (a, b) => Math.Abs(a - b)).Max(), 0, 1e-4);

        string kunet = Path.Combine(dir, "kunet.safetensors");
        using (var network = HdrUp.Models.ArchRegistry.Create("kunet", 16))
            HdrUp.Models.Checkpoints.ModelStore.Save(network, "kunet", kunet, new HdrUp.Models.ModelCard { Architecture = "kunet", Width = 16 });
        var refused = await CliHarness.Run("model", "export", kunet, Path.Combine(dir, "kunet-shipped.safetensors"), "--onnx");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("kunet: no ONNX export", refused.Error);
        Assert.False(File.Exists(Path.Combine(dir, "kunet-shipped.safetensors")));
    }
}

public class ModelCascadeTests
{
    // The separately trained cascade is the two files' weights under the dncnn.* / kunet.* prefixes, nothing else:
    // the cascade's restoration part reproduces the DnCNN file's output, and the file loads as dncnn-kunet (1,695,046).
    [Fact]
    public async Task Cascade_ChainsTwoCheckpoints_IntoOneDncnnKunetFile()
    {
        string dir = CliHarness.TempFolder();
        string restore = Path.Combine(dir, "dncnn.safetensors"), reconstruct = Path.Combine(dir, "kunet.safetensors");
        string dest = Path.Combine(dir, "cascade.safetensors");
        TorchSharp.torch.random.manual_seed(3);
        using (var dncnn = HdrUp.Models.ArchRegistry.Create("dncnn")) HdrUp.Models.Checkpoints.ModelStore.Save(dncnn, "dncnn", restore);
        using (var kunet = HdrUp.Models.ArchRegistry.Create("kunet")) HdrUp.Models.Checkpoints.ModelStore.Save(kunet, "kunet", reconstruct);

        var run = await CliHarness.Run("model", "cascade", dest, "--restore", restore, "--reconstruct", reconstruct, "--qp", "37");

        Assert.True(run.ExitCode == 0, run.Error);
        var (network, card) = HdrUp.Models.Checkpoints.ModelStore.Load(dest);
        using var cascade = Assert.IsType<HdrUp.Models.DnCNNKUNet>(network);
        Assert.Equal(("dncnn-kunet", 37), (card!.Architecture, card.Qp));
        Assert.Equal(1_695_046, cascade.parameters().Sum(p => p.numel()));
        var (alone, _) = HdrUp.Models.Checkpoints.ModelStore.Load(restore);
        using (alone)
        using (TorchSharp.torch.no_grad())
        {
            using var x = TorchSharp.torch.rand(1, 3, 16, 16);
            using var a = alone.call(x);
            using var b = cascade.Restoration.call(x);
            Assert.Equal(0f, (a - b).abs().max().item<float>());
        }

        var again = await CliHarness.Run("model", "cascade", dest, "--restore", restore, "--reconstruct", reconstruct);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Error);
        var missing = await CliHarness.Run("model", "cascade", Path.Combine(dir, "x.safetensors"), "--restore", Path.Combine(dir, "none.safetensors"), "--reconstruct", reconstruct);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("none.safetensors: no such weights file", missing.Error);
    }

    // --arch dncnn-hdrtv: the same with an HDRTVNet as the second stage (the paper's "DNCNN+HDRTV" row), 1,963,513
    // parameters; the HDRTVNet part reproduces the file it came from, and a KUNet file is refused for it by name.
    [Fact]
    public async Task Cascade_with_arch_dncnn_hdrtv_chains_a_DnCNN_and_an_HDRTVNet()
    {
        string dir = CliHarness.TempFolder();
        string restore = Path.Combine(dir, "dncnn.safetensors"), reconstruct = Path.Combine(dir, "hdrtv.safetensors");
        string kunetFile = Path.Combine(dir, "kunet.safetensors"), dest = Path.Combine(dir, "cascade.safetensors");
        TorchSharp.torch.random.manual_seed(4);
        using (var dncnn = HdrUp.Models.ArchRegistry.Create("dncnn")) HdrUp.Models.Checkpoints.ModelStore.Save(dncnn, "dncnn", restore);
        using (var hdrtv = HdrUp.Models.ArchRegistry.Create("hdrtv")) HdrUp.Models.Checkpoints.ModelStore.Save(hdrtv, "hdrtv", reconstruct);
        using (var kunet = HdrUp.Models.ArchRegistry.Create("kunet")) HdrUp.Models.Checkpoints.ModelStore.Save(kunet, "kunet", kunetFile);

        var run = await CliHarness.Run("model", "cascade", dest, "--arch", "dncnn-hdrtv", "--restore", restore, "--reconstruct", reconstruct);

        Assert.True(run.ExitCode == 0, run.Error);
        var (network, card) = HdrUp.Models.Checkpoints.ModelStore.Load(dest);
        using var cascade = Assert.IsType<HdrUp.Models.DnCNNHDRTV>(network);
        Assert.Equal("dncnn-hdrtv", card!.Architecture);
        Assert.Equal(1_963_513, cascade.parameters().Sum(p => p.numel()));
        var (alone, _) = HdrUp.Models.Checkpoints.ModelStore.Load(reconstruct);
        using (alone)
        using (TorchSharp.torch.no_grad())
        {
            alone.eval();
            using var x = TorchSharp.torch.rand(1, 3, 16, 16);
            using var a = alone.call(x);
            using var b = cascade.Reconstruction.call(x);
            Assert.Equal(0f, (a - b).abs().max().item<float>());
        }

        var wrong = await CliHarness.Run("model", "cascade", Path.Combine(dir, "w.safetensors"), "--arch", "dncnn-hdrtv", "--restore", restore, "--reconstruct", kunetFile);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("kunet.safetensors", wrong.Error);
    }
}

public class TrainCommandErrorTests
{
    // The trainer loads pairs in parallel; a bad file surfaces as the loader's one line, not as an internal error.
    [Fact]
    public async Task Train_with_a_16_bit_lq_folder_names_the_file_in_one_line()
    {
        string dir = CliHarness.TempFolder();
        string frames = Directory.CreateDirectory(Path.Combine(dir, "hdr")).FullName;
        CliHarness.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x32:rate=25", "-frames:v", "2", "-pix_fmt", "rgb48be", Path.Combine(frames, "%04d.png"));
        string recipe = Path.Combine(dir, "r.json");
        File.WriteAllText(recipe, $$"""{ "name": "bad", "threads": 1, "datasets": { "train": { "dataroot_gt": "{{frames}}", "dataroot_lq": "{{frames}}", "gt_size": 16, "batch_size": 1 }, "val": { "dataroot_gt": null, "dataroot_lq": null } }, "train": { "total_iter": 1 } }""");

        var run = await CliHarness.Run("train", "--options", recipe, "--out", Path.Combine(dir, "run"));

        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.Contains("LQ must be an 8-bit PNG (is 16-bit)", run.Error);
        Assert.DoesNotContain("internal error", run.Error);
    }
}
