using System.Text;
using HdrUp.Models.Inference;
using HdrUp.Models.Onnx;
using HdrUp.Models.Precision;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Xunit.Abstractions;

namespace HdrUp.Models.Tests.Onnx;

/// <summary>The int8 QDQ graph: its weights, what ONNX Runtime makes of it, how close it stays to fp32, and its cache.</summary>
public sealed class OnnxInt8Tests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hdrup-int8-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static HdrNetwork Network(int seed) => SeededNetwork.Create(seed);

    // Smooth ramps plus noise, in [0, 1] like SDR code values / 255, different per seed.
    private static CalibrationFrame Frame(int seed, int width = 64, int height = 48)
    {
        var random = new Random(seed);
        var planar = new float[3 * width * height];
        double phase = random.NextDouble() * 6;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double v = 0.5 + 0.4 * Math.Sin(phase + (x * (c + 1) + y) / 13.0) + 0.1 * (random.NextDouble() - 0.5);
                    planar[(c * height + y) * width + x] = (float)Math.Clamp(v, 0, 1);
                }
        return new CalibrationFrame(planar, width, height);
    }

    private static CalibrationSet Calibration(params int[] seeds) => new("test frames", seeds.Select(s => Frame(s)).ToArray());

    // Worked by hand: channel 0's largest magnitude is 1.27, so its scale is 0.01 and 0.5 → 50, −1.27 → −127, 0.3 → 30,
    // 0.005 → 0.5 → 0 (half to even); channel 1 is all zeros and gets scale 1 (any scale is exact for zeros).
    [Fact]
    public void Weight_scales_are_max_abs_over_127_per_output_channel()
    {
        var (values, scales) = OnnxInt8.QuantizePerChannel([0.5f, -1.27f, 0.3f, 0.005f, 0f, 0f, 0f, 0f], channels: 2);
        Assert.Equal(0.01f, scales[0], 1e-7f);
        Assert.Equal(1f, scales[1]);
        Assert.Equal(new sbyte[] { 50, -127, 30, 0, 0, 0, 0, 0 }, values);

        // 7-bit weights (CPUs whose int8 kernels saturate): scale 1.27/63, 0.5 → 24.8 → 25, 0.3 → 14.88 → 15.
        var (seven, sevenScales) = OnnxInt8.QuantizePerChannel([0.5f, -1.27f, 0.3f, 0.005f], channels: 1, limit: 63);
        Assert.Equal(1.27f / 63, sevenScales[0], 1e-7f);
        Assert.Equal(new sbyte[] { 25, -63, 15, 0 }, seven);
    }

    // Bias correction: on an input equal to its channel means everywhere, a convolution with rounded weights and the
    // corrected bias gives the float convolution's output (b' + Σŵx = b − Σ(ŵ − w)x + Σŵx = b + Σwx), away from the borders.
    [Fact]
    public void The_corrected_bias_takes_out_the_mean_effect_of_rounding_the_weights()
    {
        const int outputs = 4, inputs = 3, taps = 9;
        var random = new Random(5);
        var weights = Enumerable.Range(0, outputs * inputs * taps).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var bias = new[] { 0.1f, -0.2f, 0.3f, 0f };
        var means = new[] { 0.8f, 2.5f, -1.2f };
        var (values, scales) = OnnxInt8.QuantizePerChannel(weights, outputs, limit: 63);
        var corrected = OnnxInt8.CorrectedBias(bias, weights, values, scales, means);
        for (int o = 0; o < outputs; o++)
        {
            double exact = bias[o], rounded = corrected[o], uncorrected = bias[o];
            for (int c = 0; c < inputs; c++)
                for (int k = 0; k < taps; k++)
                {
                    int i = (o * inputs + c) * taps + k;
                    exact += weights[i] * means[c];
                    rounded += values[i] * scales[o] * means[c];
                    uncorrected += values[i] * scales[o] * means[c];
                }
            Assert.Equal(exact, rounded, 1e-6);
            Assert.NotEqual(exact, uncorrected, 1e-4);   // the rounding did move the output, so the test can fail
        }
        Assert.Same(bias, OnnxInt8.CorrectedBias(bias, weights, values, scales, [1f, 2f, 3f, 4f, 5f]));   // 27 taps do not split into 5 channels
    }

    // The network's graph: every int8 convolution's bias is corrected from the calibration frames' means, with 7-bit and
    // with 8-bit weights, and the metadata says so.
    [Fact]
    public void The_graph_corrects_its_biases_from_the_calibration_means()
    {
        using var net = Network(1);
        var (graph, _, _) = OnnxExport.Build(net);
        var plan = OnnxInt8.Plan(graph);
        var inputs = OnnxInt8.ConvolutionInputs(graph, plan);
        var ranges = OnnxInt8.Calibrate(graph, plan.Tensors, Calibration(1, 2), net.SizeMultiple, 1, inputs, out var means);
        Assert.Equal(inputs.Order(), means.Keys.Order());
        Assert.Equal(3, means[OnnxExport.InputName].Length);   // the frame's three colour planes
        Assert.All(means[OnnxExport.InputName], m => Assert.InRange(m, 0.05f, 0.95f));
        var corrected = OnnxInt8.Rewrite(graph, plan, ranges, 63, means);
        var plain = OnnxInt8.Rewrite(graph, plan, ranges, 63);
        var a = (int[])corrected.Initializer("Conv_0/bias_int32")!.Data;
        var b = (int[])plain.Initializer("Conv_0/bias_int32")!.Data;
        Assert.NotEqual(b, a);

        string Metadata(int limit) => Encoding.UTF8.GetString(OnnxInt8.Quantize(net, Calibration(1, 2), threads: 1, weightLimit: limit));
        Assert.Contains("per-channel input means of the calibration frames", Metadata(63));
        Assert.Contains("per-channel input means of the calibration frames", Metadata(127));
    }

    // The quantised graph holds, for the first convolution of a real network, one scale per output channel equal to that
    // channel's max |w| / 127, int8 values that dequantise to within half a step of the weights, and an int32 bias.
    [Theory]
    [InlineData(127)]
    [InlineData(63)]
    public void The_graph_stores_int8_weights_with_the_per_channel_scales_of_the_network(int limit)
    {
        using var net = Network(1);
        var (graph, _, _) = OnnxExport.Build(net);
        var plan = OnnxInt8.Plan(graph);
        var ranges = OnnxInt8.Calibrate(graph, plan.Tensors, Calibration(1, 2), net.SizeMultiple, threads: 1);
        var quantised = OnnxInt8.Rewrite(graph, plan, ranges, limit);

        var weight = net.state_dict()["conv_first.weight"];
        long channels = weight.shape[0];
        var w = weight.contiguous().data<float>().ToArray();
        int per = (int)(w.Length / channels);
        var scales = (float[])quantised.Initializer("conv_first.weight/scale")!.Data;
        var values = (sbyte[])quantised.Initializer("conv_first.weight/int8")!.Data;
        Assert.Equal(channels, scales.Length);
        for (int c = 0; c < channels; c++)
        {
            float max = w.AsSpan(c * per, per).ToArray().Max(Math.Abs);
            Assert.Equal(max / limit, scales[c], max * 1e-6f);
            for (int i = c * per; i < (c + 1) * per; i++)
            {
                Assert.InRange(Math.Abs(values[i] * scales[c] - w[i]), 0, scales[c] / 2 + 1e-7f);
                Assert.InRange((int)values[i], -limit, limit);
            }
        }
        Assert.Equal(OnnxElement.Int32, quantised.Initializer("Conv_0/bias_int32")!.Type);
        Assert.Null(quantised.Initializer("conv_first.weight"));   // no float copy of a quantised weight is left
        Assert.NotNull(quantised.Initializer("conv_last.weight/sub_pixel"));  // the last convolution stays float
        // The input is SDR code values / 255: scale 1/255 and zero point 0 represent every 8-bit code exactly.
        Assert.Equal(1f / 255, (float)((float[])quantised.Initializer("sdr/scale")!.Data)[0], 1e-9f);
    }

    // ONNX Runtime fuses each DequantizeLinear → Conv (→ ReLU) → QuantizeLinear group into an integer convolution; the
    // optimised graph it writes holds one QLinearConv per planned convolution and float Conv nodes only for the ones
    // the plan keeps float (the attention's 1×1 convolutions and the last one).
    [Fact]
    public void Onnx_Runtime_runs_every_planned_convolution_as_an_integer_kernel()
    {
        using var net = Network(1);
        byte[] model = OnnxInt8.Quantize(net, Calibration(1, 2), threads: 1);
        var (graph, _, _) = OnnxExport.Build(net);
        var plan = OnnxInt8.Plan(graph);
        int convolutions = graph.Nodes.Count(n => n.OpType == "Conv");
        string optimised = Path.Combine(dir, "optimised.onnx");
        using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimised, IntraOpNumThreads = 1 })
        using (new InferenceSession(model, options)) { }
        byte[] written = File.ReadAllBytes(optimised);
        int qlinear = CountOpType(written, "QLinearConv");
        output.WriteLine($"{plan.Convolutions.Count} of {convolutions} convolutions planned int8; ONNX Runtime's graph: {qlinear} QLinearConv, {CountOpType(written, "Conv")} Conv, {CountOpType(written, "FusedConv")} FusedConv");
        int keptFloat = graph.Nodes.Count(n => n.OpType == "Conv" && n.KeepFloat) + 1;   // the attention's, and the last
        Assert.Equal(9, keptFloat - 1);   // three 1×1 convolutions in each of the three runs of the shared attention
        Assert.Equal(convolutions - keptFloat, plan.Convolutions.Count);
        Assert.Equal(plan.Convolutions.Count, qlinear);
        Assert.Equal(convolutions - plan.Convolutions.Count, CountOpType(written, "Conv") + CountOpType(written, "FusedConv"));
    }

    // KPNet's pixel shuffles (DepthToSpace after a quantised convolution) get their outputs quantised with the same range:
    // ONNX Runtime then shuffles uint8 instead of float.
    [Fact]
    public void Pixel_shuffles_of_quantised_tensors_are_quantised_with_their_inputs_range()
    {
        using var net = Network(1);
        var (graph, _, _) = OnnxExport.Build(net);
        var plan = OnnxInt8.Plan(graph);
        var shuffles = graph.Nodes.Where(n => n.OpType == "DepthToSpace" && plan.Tensors.Contains(n.Inputs[0])).ToList();
        output.WriteLine($"{shuffles.Count} of {graph.Nodes.Count(n => n.OpType == "DepthToSpace")} pixel shuffles read a quantised tensor");
        Assert.True(shuffles.Count >= 2);
        Assert.All(shuffles, n => Assert.Contains(n.Outputs[0], plan.Tensors));
        var ranges = OnnxInt8.Calibrate(graph, plan.Tensors, Calibration(1, 2), net.SizeMultiple, 1);
        Assert.All(shuffles, n => Assert.Equal(ranges[n.Inputs[0]], ranges[n.Outputs[0]]));
    }

    // A random narrow KPNet calibrated on two frames and run on a third: measured max |Δ| 2.7e-4 and PSNR 83.2 dB (peak 1)
    // against the fp32 graph on an AVX512-VNNI machine before bias correction, 1.9e-4 and 88.3 dB on an AVX2 one without
    // VNNI with its 7-bit weights and bias correction (2.4e-4 and 84.4 dB without the correction). With 8-bit weights there, ONNX Runtime's u8×s8 product pairs saturate in 16 bits: 3.0e-3 and 57.2 dB, which
    // these bounds fail. The quality bench measures what int8 costs the shipped models against the ground truth.
    [Fact]
    public void The_int8_graph_of_a_random_KPNet_stays_close_to_fp32()
    {
        using var net = Network(7);
        var frame = Frame(99);
        float[] reference, quantised;
        using (var fp32 = new OnnxRunner(OnnxExport.Export(net), threads: 1)) reference = fp32.Run(frame.Planar, frame.Width, frame.Height);
        using (var int8 = new OnnxRunner(OnnxInt8.Quantize(net, Calibration(1, 2), threads: 1), threads: 1)) quantised = int8.Run(frame.Planar, frame.Width, frame.Height);
        double max = 0, sum = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double d = quantised[i] - reference[i];
            max = Math.Max(max, Math.Abs(d));
            sum += d * d;
        }
        double psnr = 10 * Math.Log10(reference.Length / sum);
        double range = reference.Max() - reference.Min();
        output.WriteLine($"int8 vs fp32: max |Δ| {max:E2}, PSNR {psnr:F2} dB, fp32 output range {range:F3}");
        Assert.True(range > 0.05, "The output is nearly constant, so the comparison would prove little.");
        Assert.InRange(max, 1e-5, 2e-3);   // above 0: the graph really is quantised
        Assert.True(psnr >= 65, $"PSNR {psnr:F2} dB");
    }

    // Quantising runs the calibration; the cache must give the same graph back without it, under a key that changes with
    // the calibration frames and the quantiser's version, and keep it apart from the fp32 graph of the same weights.
    [Fact]
    public void The_cache_keeps_the_int8_graph_under_the_weights_calibration_and_quantiser_version()
    {
        var cache = new OnnxGraphCache(dir);
        using var net = Network(1);
        var calibration = Calibration(1, 2);
        var (first, cachedFirst) = cache.GetInt8(net, calibration, threads: 1);
        Assert.False(cachedFirst);
        string key = OnnxGraphCache.Int8Key(net, calibration);
        Assert.True(File.Exists(cache.PathFor(key)));
        using var again = Network(1);
        var (second, cachedSecond) = cache.GetInt8(again, Calibration(1, 2), threads: 1);
        Assert.True(cachedSecond);
        Assert.Equal(first, second);
        Assert.NotEqual(key, OnnxGraphCache.Key(net));
        Assert.NotEqual(key, OnnxGraphCache.Int8Key(net, Calibration(1, 3)));
        Assert.NotEqual(key, OnnxGraphCache.Int8Key(net, calibration, OnnxInt8.Version + 1, OnnxInt8.WeightLimitFor(CpuFeatures.Current)));
        Assert.NotEqual(OnnxGraphCache.Int8Key(net, calibration, OnnxInt8.Version, 127), OnnxGraphCache.Int8Key(net, calibration, OnnxInt8.Version, 63));
        Assert.Equal(calibration.Identity, new CalibrationSet("the same frames under another name", calibration.Frames).Identity);

        // FrameInference in int8 opens the cached graph: its output is the cached graph's.
        using var inference = new FrameInference(again, new InferenceOptions
        {
            Backend = InferenceBackend.Onnx, Precision = Models.Precision.NumericPrecision.Int8, OnnxCache = cache, Calibration = calibration, Threads = 1,
        });
        var frame = Frame(5);
        using var runner = new OnnxRunner(first, threads: 1);
        Assert.Equal(runner.Run(frame.Planar, frame.Width, frame.Height), inference.Run(frame.Planar, frame.Width, frame.Height));
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void Int8_needs_onnx_runtime_and_calibration_frames()
    {
        using var net = Network(1);
        Assert.Equal(InferenceBackend.Onnx, InferenceOptions.For(net, Models.Precision.NumericPrecision.Int8));
        Assert.Equal(InferenceBackend.Onnx, InferenceOptions.For(net, Models.Precision.NumericPrecision.Fp32));
        Assert.Equal(InferenceBackend.Torch, InferenceOptions.For(net, Models.Precision.NumericPrecision.Bf16));
        using (var csrnet = ArchRegistry.Create("csrnet"))
        {
            Assert.Equal(InferenceBackend.Torch, InferenceOptions.For(csrnet, Models.Precision.NumericPrecision.Fp32));
            Assert.Contains("no graph of a CSRNet", Assert.Throws<NotSupportedException>(() => InferenceOptions.For(csrnet, Models.Precision.NumericPrecision.Int8)).Message);
        }
        var int8 = new InferenceOptions { Precision = Models.Precision.NumericPrecision.Int8, OnnxCache = null };
        Assert.Contains("ONNX Runtime", Assert.Throws<ArgumentException>(() => new FrameInference(net, int8)).Message);
        Assert.Contains("calibration", Assert.Throws<ArgumentException>(() => new FrameInference(net, int8 with { Backend = InferenceBackend.Onnx })).Message);
    }

    // op_type is field 4 of NodeProto, a length-delimited string: tag 0x22, then its length, then the name.
    private static int CountOpType(byte[] model, string opType)
    {
        byte[] pattern = [0x22, (byte)opType.Length, .. Encoding.ASCII.GetBytes(opType)];
        int count = 0;
        for (int i = model.AsSpan().IndexOf(pattern); i >= 0; i = model.AsSpan(i + 1).IndexOf(pattern) is var next and >= 0 ? i + 1 + next : -1)
            count++;
        return count;
    }
}
