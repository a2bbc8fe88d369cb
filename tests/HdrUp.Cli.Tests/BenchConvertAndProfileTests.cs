using System.Text.Json;
using HdrUp.Bench;
using HdrUp.Models;

namespace HdrUp.Cli.Tests;

public class BenchConvertAndProfileTests
{
    // One real 540p conversion with the narrow KPNet: the conversion cannot be faster than the network calls inside
    // it, and the hdrup process's memory high-water mark is read from /proc.
    [Fact]
    public async Task Convert_bench_times_the_network_inside_a_real_conversion()
    {
        string outDir = CliHarness.TempFolder();
        var run = await CliHarness.Run("bench", "convert", "--models", "kpnet-nf16", "--sizes", "540p", "--frames", "1",
            "--preset", "ultrafast", "--threads", "2", "--out", outDir);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(Assert.Single(Directory.GetFiles(outDir, "convert-*.json"))));
        var row = Assert.Single(json.RootElement.GetProperty("rows").EnumerateArray());
        Assert.Equal("540p", row.GetProperty("size").GetString());
        double network = row.GetProperty("network_seconds_per_frame").GetDouble(), convert = row.GetProperty("convert_seconds_per_frame").GetDouble();
        Assert.True(network > 0 && convert >= network, $"network {network} s, convert {convert} s");
        Assert.Equal(convert / network, row.GetProperty("convert_to_network_ratio").GetDouble(), 6);
        Assert.True(row.GetProperty("peak_resident_bytes").GetInt64() > 100L << 20);
    }

    // The profile hooks see the shared KIB (recon_trunk) three times per frame, once per branch, and the module
    // GFLOP column adds up to the network's counted convolutions (ConvFlops) at 540p.
    [Fact]
    public async Task Profile_counts_the_shared_kib_three_times_and_the_flops_add_up()
    {
        string outDir = CliHarness.TempFolder();
        var run = await CliHarness.Run("bench", "profile", "--models", "kpnet-nf16", "--size", "540p", "--threads", "2", "--out", outDir);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(Assert.Single(Directory.GetFiles(outDir, "profile-*.json"))));
        var profile = Assert.Single(json.RootElement.GetProperty("profiles").EnumerateArray());
        var modules = profile.GetProperty("modules").EnumerateArray().ToDictionary(m => m.GetProperty("path").GetString()!);
        Assert.Equal(3, modules["recon_trunk"].GetProperty("calls").GetInt32());
        Assert.Equal(1, modules["conv_first"].GetProperty("calls").GetInt32());
        using var network = ArchRegistry.Create("kpnet-nf16");
        double expected = ConvFlops.PerPixel(network) * 960 * 540 / 1e9;
        Assert.Equal(expected, profile.GetProperty("conv_gflop_per_frame").GetDouble(), 3);
        double frame = profile.GetProperty("seconds_per_frame").GetDouble();
        Assert.All(modules.Values, m => Assert.InRange(m.GetProperty("seconds").GetDouble(), 0, frame));
    }

    // ONNX Runtime's profiler on the int8 graph of the fast model's architecture: the integer convolutions are there, the
    // frame's last convolution runs in float (folded to half resolution, SubPixelFold), the operator rows add up to the
    // kernel time, and int8 without ONNX Runtime is refused in one line.
    [Fact]
    public async Task Profile_of_the_onnx_int8_graph_lists_its_integer_and_float_operators()
    {
        string outDir = CliHarness.TempFolder();
        var run = await CliHarness.Run("bench", "profile", "--models", "kpnet-half-nf32", "--size", "540p", "--backend", "onnx", "--precision", "int8",
            "--threads", "2", "--out", outDir);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(Assert.Single(Directory.GetFiles(outDir, "profile-*.json"))));
        var profile = Assert.Single(json.RootElement.GetProperty("profiles").EnumerateArray());
        Assert.Equal("int8", profile.GetProperty("precision").GetString());
        Assert.Equal(960, profile.GetProperty("width").GetInt32());
        Assert.Equal(540, profile.GetProperty("height").GetInt32());   // a multiple of the half-resolution network's 4: not cropped
        var operators = profile.GetProperty("operators").EnumerateArray().ToDictionary(o => o.GetProperty("op_type").GetString()!);
        Assert.Contains("QLinearConv", operators.Keys);
        Assert.Equal(1, operators["Conv"].GetProperty("nodes").GetInt32());
        double kernel = profile.GetProperty("kernel_seconds_per_frame").GetDouble();
        Assert.Equal(kernel, operators.Values.Sum(o => o.GetProperty("seconds").GetDouble()), 9);
        Assert.InRange(kernel, 1e-4, profile.GetProperty("seconds_per_frame").GetDouble());
        Assert.Contains("QLinearConv", run.Output);

        var refused = await CliHarness.Run("bench", "profile", "--models", "kpnet-nf16", "--precision", "int8", "--out", outDir);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("--backend onnx", refused.Output + refused.Error);
    }
}

public class BenchCurveTests
{
    // Two timed architectures, three scored methods (one untimed, so left out): the full model 30 s at 29 dB, the
    // fast one 3 s at 28.5 dB → speed-up 10.0×, ΔPSNR −0.50; the scatter PNG has the chart's fixed size.
    [Fact]
    public async Task Curve_joins_speed_and_quality_by_architecture()
    {
        string dir = CliHarness.TempFolder();
        string speed = Path.Combine(dir, "speed.json"), quality = Path.Combine(dir, "quality.csv"), outDir = Path.Combine(dir, "out");
        File.WriteAllText(speed, """
            { "rows": [ { "case": "kpnet", "size": "1080p", "median_seconds": 30.0 }, { "case": "kpnet-nf16", "size": "1080p", "median_seconds": 3.0 },
                        { "case": "kpnet", "size": "540p", "median_seconds": 7.5 }, { "case": "conv", "size": "x", "median_seconds": "NaN" } ] }
            """);
        File.WriteAllText(quality, "qp,method,architecture,params,frames,psnr,ssim,mse,delta_e_itp\n" +
                                   "37,kpnet (shipped),kpnet,1552475,51,29.0,0.9,0.002,30.0\n" +
                                   "37,fast,kpnet-nf16,98603,51,28.5,0.9,0.003,33.0\n" +
                                   "37,BT.2446 Method A inverse,,,51,20.0,0.9,0.01,77.0\n" +
                                   "32,fast,kpnet-nf16,98603,51,30.0,0.9,0.003,33.0\n");

        var run = await CliHarness.Run("bench", "curve", "--speed", speed, "--quality", quality, "--qp", "37", "--out", outDir);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        string md = File.ReadAllText(Assert.Single(Directory.GetFiles(outDir, "curve-*.md")));
        Assert.Contains("| 1 | kpnet (shipped) | kpnet | 1,552,475 | 30.00 | 1.0× | 29.00 | 0.00 | 30.00 |", md);
        Assert.Contains("| 2 | fast | kpnet-nf16 | 98,603 | 3.00 | 10.0× | 28.50 | -0.50 | 33.00 |", md);
        Assert.DoesNotContain("BT.2446", md);
        using var plot = SixLabors.ImageSharp.Image.Load(Assert.Single(Directory.GetFiles(outDir, "curve-*.png")));
        Assert.Equal((720, 420), (plot.Width, plot.Height));

        // --onnx reads the "ARCH (ONNX Runtime fp32)" rows, and the "ARCH (ONNX Runtime)" rows of reports from before int8.
        File.WriteAllText(speed, """{ "rows": [ { "case": "kpnet-nf16 (ONNX Runtime fp32)", "size": "1080p", "median_seconds": 1.5 }, { "case": "kpnet (ONNX Runtime)", "size": "1080p", "median_seconds": 6 } ] }""");
        string onnxOut = Path.Combine(dir, "onnx");
        var onnx = await CliHarness.Run("bench", "curve", "--speed", speed, "--quality", quality, "--qp", "37", "--onnx", "--reference", "fast", "--out", onnxOut);
        Assert.True(onnx.ExitCode == 0, onnx.Output + onnx.Error);
        string onnxMd = File.ReadAllText(Assert.Single(Directory.GetFiles(onnxOut, "curve-*.md")));
        Assert.Contains("| 1 | kpnet (shipped) | kpnet | 1,552,475 | 6.00 |", onnxMd);
        Assert.Contains("| 2 | fast | kpnet-nf16 | 98,603 | 1.50 | 1.0× | 28.50 | 0.00 | 33.00 |", onnxMd);

        var none = await CliHarness.Run("bench", "curve", "--speed", speed, "--quality", quality, "--qp", "42", "--out", outDir);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("no method at QP 42", none.Error);
    }
}

public class BenchSpeedTests
{
    // One small run: the ceiling rows, the network at 540p through both backends, in bf16 (where the CPU has bf16 units)
    // and in int8, its training step rate and the metrics; the ONNX Runtime output equals libtorch's within 1e-4, bf16's
    // is within bf16's rounding (8-bit mantissa: 2^-8 of the output, plus what the layers add) but not equal, int8's is
    // further off but above 40 dB (a random narrow KPNet measured 70–76 dB in OnnxInt8Tests), and every median is positive.
    [Fact]
    public async Task Speed_reports_network_backends_training_and_metrics()
    {
        string outDir = CliHarness.TempFolder();
        var run = await CliHarness.Run("bench", "speed", "--models", "kpnet-nf16", "--sizes", "540p", "--repeats", "1", "--threads", "2", "--onnx", "--bf16", "--int8", "--out", outDir);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(Assert.Single(Directory.GetFiles(outDir, "speed-*.json"))));
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("case").GetString()!);
        // A ceiling for each path that ran, and each network row read against its own path's.
        var ceilings = json.RootElement.GetProperty("ceilings").EnumerateArray().ToDictionary(c => c.GetProperty("path").GetString()!, c => c.GetProperty("gflops").GetDouble());
        Assert.Equal(["libtorch fp32", "libtorch bf16", "ONNX Runtime fp32", "ONNX Runtime int8"], ceilings.Keys);
        Assert.All(ceilings.Values, g => Assert.True(g > 0));
        // Without bf16 units bf16 is emulated, hundreds of times slower: one ceiling sample says so and no network runs in it.
        bool bf16Units = Models.Precision.CpuFeatures.Current.HasBf16;
        var timed = new List<(string, string)> { ("kpnet-nf16", "libtorch fp32"), ("kpnet-nf16 (ONNX Runtime fp32)", "ONNX Runtime fp32"), ("kpnet-nf16 (ONNX Runtime int8)", "ONNX Runtime int8") };
        if (bf16Units) timed.Add(("kpnet-nf16 (libtorch bf16)", "libtorch bf16"));
        else
        {
            Assert.DoesNotContain("kpnet-nf16 (libtorch bf16)", rows.Keys);
            var bf16Ceiling = rows["conv 64→64 3×3 (libtorch bf16)"];
            Assert.Equal(1, bf16Ceiling.GetProperty("repeats").GetInt32());
            Assert.Contains("emulated (no bf16 units on this CPU)", bf16Ceiling.GetProperty("note").GetString());
        }
        foreach (var (name, path) in timed)
        {
            Assert.True(rows[name].GetProperty("median_seconds").GetDouble() > 0, name);
            Assert.Equal(path, rows[name].GetProperty("against").GetString());
            Assert.True(rows[name].GetProperty("ceiling_gflops").GetDouble() > 0, name);
        }
        foreach (string name in new[] { "train kpnet-nf16", "metric ΔE_ITP" })
            Assert.True(rows[name].GetProperty("median_seconds").GetDouble() > 0, name);
        Assert.Contains("it/s", rows["train kpnet-nf16"].GetProperty("note").GetString());
        var alternatives = json.RootElement.GetProperty("alternatives").EnumerateArray().ToDictionary(a => a.GetProperty("alternative").GetString()!);
        Assert.InRange(alternatives["ONNX Runtime fp32"].GetProperty("max_abs_difference").GetDouble(), 0, 1e-4);
        if (bf16Units) Assert.InRange(alternatives["libtorch bf16"].GetProperty("max_abs_difference").GetDouble(), 1e-4, 0.1);
        else Assert.DoesNotContain("libtorch bf16", alternatives.Keys);
        var int8 = alternatives["ONNX Runtime int8"];
        Assert.InRange(int8.GetProperty("max_abs_difference").GetDouble(), 1e-5, 0.1);
        Assert.InRange(int8.GetProperty("psnr_to_fp32").GetDouble(), 40, 120);
        Assert.True(int8.GetProperty("ratio_to_onnx_fp32").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, alternatives["ONNX Runtime fp32"].GetProperty("ratio_to_onnx_fp32").ValueKind);
        Assert.StartsWith("8 frames of city.mp4", json.RootElement.GetProperty("int8_calibration").GetString());
        Assert.Contains("load", json.RootElement.GetProperty("load").GetString());
        Assert.Contains("## What stops the targets", File.ReadAllText(Assert.Single(Directory.GetFiles(outDir, "speed-*.md"))));
    }
}
