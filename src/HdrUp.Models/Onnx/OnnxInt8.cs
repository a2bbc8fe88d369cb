using System.Globalization;
using HdrUp.Models.Precision;
using Microsoft.ML.OnnxRuntime;

namespace HdrUp.Models.Onnx;

/// <summary>
/// Static int8 quantisation of the graph <see cref="OnnxExport"/> writes, in the QDQ form ONNX Runtime's CPU provider
/// turns into integer kernels (issue #17): every convolution gets its weights as int8, symmetric per output channel
/// (scale max|w|/127, or max|w|/63 where the CPU's int8 kernels would saturate, <see cref="WeightLimitFor"/>), its bias
/// as int32 at the input scale × weight scale, corrected for the mean effect of the weights' rounding
/// (<see cref="CorrectedBias"/>), and its input and output as uint8 with a scale
/// and zero point from the ranges measured on real frames (<see cref="CalibrationSet"/>; the minimum and maximum over all
/// frames, widened to include 0). The additions, products, concatenations and average pools between convolutions have
/// their inputs and outputs quantised too, so that ONNX Runtime runs whole chains in uint8 (QLinearConv, QLinearAdd,
/// QLinearMul, QLinearConcat, QLinearAveragePool; a ReLU before a Q with zero point 0 is dropped), and a pixel shuffle
/// (DepthToSpace) of a quantised tensor is quantised with its input's parameters so that it moves bytes. What stays float:
/// the coordinate attention (row and column means, its 1×1 convolutions, the sigmoid gates and the gating products),
/// pixel shuffles of float tensors, products with constant weights, BatchNorm, and the last convolution, whose output is
/// the frame, with the shuffle of its output (the exporter folds that convolution onto the unshuffled channels at half
/// resolution, <see cref="SubPixelFold"/>; <see cref="FrameTensors"/>). The network input, SDR code values / 255, is
/// quantised with scale 1/255 and zero point 0, which is exact for 8-bit sources.
/// </summary>
public static class OnnxInt8
{
    /// <summary>Version of the quantiser, part of <see cref="OnnxGraphCache.Int8Key"/>: raise it whenever the same graph,
    /// weights and calibration frames would give another int8 graph.</summary>
    public const int Version = 6;

    /// <summary>
    /// The largest magnitude of the int8 weights on <paramref name="cpu"/>: 127, or 63 (7 bits) where its int8 kernels add
    /// u8×s8 product pairs in 16 bits with saturation (<see cref="CpuFeatures.Int8PairsSaturate"/>): 2 × 255 × 63 = 32,130
    /// fits. On such a CPU (AVX2 without VNNI) a random KPNet with 8-bit weights came out 57 dB from fp32, with 7-bit ones 84 dB, and 88 dB
    /// with their biases corrected (<see cref="CorrectedBias"/>).
    /// </summary>
    public static int WeightLimitFor(CpuFeatures cpu) => cpu.Int8PairsSaturate ? 63 : 127;

    /// <summary>Metadata entry naming the graph's precision ("int8"); fp32 graphs have none.</summary>
    public const string PrecisionKey = "precision";

    private static readonly HashSet<string> QuantisedOps = new(StringComparer.Ordinal) { "Conv", "Add", "Mul", "Concat", "AveragePool" };

    /// <summary>The int8 graph of <paramref name="network"/> with its current weights, calibrated on <paramref name="calibration"/>.</summary>
    /// <param name="threads">ONNX Runtime intra-op threads for the calibration runs (0 = one per core).</param>
    /// <exception cref="NotSupportedException">The network has no ONNX export.</exception>
    /// <param name="weightLimit">Largest int8 weight magnitude (<see cref="WeightLimitFor"/>); default this machine's.</param>
    public static byte[] Quantize(HdrNetwork network, CalibrationSet calibration, int threads = 0, int? weightLimit = null)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        int limit = weightLimit ?? WeightLimitFor(CpuFeatures.Current);
        var (graph, metadata, _) = OnnxExport.Build(network);
        var plan = Plan(graph);
        // The weights' rounding error has a mean effect on each output channel, which the biases take out.
        var ranges = Calibrate(graph, plan.Tensors, calibration, network.SizeMultiple, threads, ConvolutionInputs(graph, plan), out var means);
        var quantised = Rewrite(graph, plan, ranges, limit, means);
        int convolutions = graph.Nodes.Count(n => n.OpType == "Conv");
        metadata[PrecisionKey] = "int8";
        metadata["quantiser_version"] = Version.ToString(CultureInfo.InvariantCulture);
        metadata["int8_weight_limit"] = limit.ToString(CultureInfo.InvariantCulture);
        metadata["int8_bias_correction"] = means.Count > 0 ? "per-channel input means of the calibration frames" : "none";
        metadata["int8_convolutions"] = $"{plan.Convolutions.Count} of {convolutions}";
        metadata["calibration"] = calibration.Description;
        metadata["calibration_sha256"] = calibration.Identity;
        return OnnxExport.Serialize(quantised, network.GetType().Name, metadata);
    }

    /// <summary>The nodes that read each tensor, by tensor name.</summary>
    private static ILookup<string, OnnxNode> Consumers(OnnxGraph graph) =>
        graph.Nodes.SelectMany(n => n.Inputs.Select(input => (input, n))).ToLookup(p => p.input, p => p.n, StringComparer.Ordinal);

    /// <summary>What gets quantised: the activations (by tensor name) and the convolutions whose weights become int8 (by node name).</summary>
    internal sealed record QuantisationPlan(IReadOnlySet<string> Tensors, IReadOnlySet<string> Convolutions);

    /// <summary>Activation range of one tensor over the calibration frames.</summary>
    internal readonly record struct Range(float Min, float Max);

    internal static QuantisationPlan Plan(OnnxGraph graph)
    {
        var consumers = Consumers(graph);
        // The tensors the frame comes out of stay float: the output is what the precision is spent on.
        var frame = FrameTensors(graph);
        var tensors = new HashSet<string>(StringComparer.Ordinal);
        var convolutions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            // A pixel shuffle of a quantised tensor is quantised too (its range is its input's, so the scale and zero point
            // are the same): ONNX Runtime then drops the DequantizeLinear → QuantizeLinear around it and moves bytes instead
            // of floats. In the fast model at 1080p the float shuffles were 27 % of the time.
            if (node.OpType == "DepthToSpace" && !node.KeepFloat && tensors.Contains(node.Inputs[0]) && !frame.Contains(node.Outputs[0]))
            {
                tensors.Add(node.Outputs[0]);
                continue;
            }
            if (node.KeepFloat || !QuantisedOps.Contains(node.OpType) || frame.Contains(node.Outputs[0])) continue;
            var activations = node.Inputs.Where(i => graph.Initializer(i) is null).ToList();
            if (node.OpType == "Conv")
            {
                activations = [node.Inputs[0]];
                convolutions.Add(node.Name);
            }
            else if (activations.Count != node.Inputs.Count)
            {
                continue;   // a product with a constant (the weighted fusion's weights): no integer kernel takes one
            }
            tensors.UnionWith(activations);
            // A lone ReLU after the node runs inside its integer kernel when the Q follows the ReLU.
            string output = node.Outputs[0];
            var uses = consumers[output].ToList();
            if (uses is [{ OpType: "Relu", KeepFloat: false } relu]) output = relu.Outputs[0];
            tensors.Add(output);
        }
        tensors.ExceptWith(frame);
        return new QuantisationPlan(tensors, convolutions);
    }

    /// <summary>The tensor the last computing node writes and those that only move its values to the output (the pixel shuffle
    /// and crop of <see cref="SubPixelFold"/>, and the output's Identity).</summary>
    internal static HashSet<string> FrameTensors(OnnxGraph graph)
    {
        var producers = graph.Nodes.SelectMany(n => n.Outputs.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n, StringComparer.Ordinal);
        var frame = new HashSet<string>(StringComparer.Ordinal);
        string tensor = producers[OnnxExport.OutputName].Inputs[0];
        while (frame.Add(tensor) && producers.GetValueOrDefault(tensor) is { OpType: "DepthToSpace" or "Slice" or "Identity" } mover)
            tensor = mover.Inputs[0];
        return frame;
    }

    /// <summary>
    /// The range of each tensor of <paramref name="tensors"/> over the calibration frames: the graph runs in float with a
    /// ReduceMin and a ReduceMax on each of them as extra outputs, so no activation is copied out. Frames are cropped at
    /// the bottom and right to a multiple of <paramref name="multiple"/>. The network input is not measured: it is
    /// [0, 1] by definition.
    /// </summary>
    internal static Dictionary<string, Range> Calibrate(OnnxGraph graph, IReadOnlySet<string> tensors, CalibrationSet calibration, int multiple, int threads) =>
        Calibrate(graph, tensors, calibration, multiple, threads, new HashSet<string>(StringComparer.Ordinal), out _);

    /// <summary>As <see cref="Calibrate(OnnxGraph, IReadOnlySet{string}, CalibrationSet, int, int)"/>, and the mean of each
    /// channel of the tensors of <paramref name="meanTensors"/> over the calibration frames (weighted by their pixels).</summary>
    internal static Dictionary<string, Range> Calibrate(OnnxGraph graph, IReadOnlySet<string> tensors, CalibrationSet calibration, int multiple, int threads,
        IReadOnlySet<string> meanTensors, out Dictionary<string, float[]> means)
    {
        var probe = new OnnxGraph();
        foreach (var initializer in graph.Initializers) probe.AddInitializer(initializer);
        foreach (var node in graph.Nodes) probe.Append(node);
        var measured = tensors.Where(t => t != OnnxExport.InputName).Order(StringComparer.Ordinal).ToArray();
        var outputs = new List<(string Name, OnnxDim[] Shape)>();
        foreach (string tensor in measured)
            foreach (string reduce in new[] { "ReduceMin", "ReduceMax" })
            {
                string name = $"{tensor}/{reduce}";
                probe.Append(new OnnxNode(reduce, name, [tensor], [name], [OnnxAttribute.Int("keepdims", 0)]));
                outputs.Add((name, []));
            }
        var averaged = meanTensors.Order(StringComparer.Ordinal).ToArray();
        foreach (string tensor in averaged)
        {
            string name = $"{tensor}/ReduceMean";
            probe.Append(new OnnxNode("ReduceMean", name, [tensor], [name], [OnnxAttribute.Ints("axes", 0, 2, 3), OnnxAttribute.Int("keepdims", 0)]));
            outputs.Add((name, ["channels"]));
        }
        byte[] model = probe.ToModel("calibration", (OnnxExport.InputName, [1, 3, "height", "width"]), outputs, new Dictionary<string, string>());

        var ranges = measured.ToDictionary(t => t, _ => new Range(float.PositiveInfinity, float.NegativeInfinity), StringComparer.Ordinal);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        using var session = new InferenceSession(model, options);
        using var runOptions = new RunOptions();
        string[] names = outputs.Select(o => o.Name).ToArray();
        var sums = averaged.ToDictionary(t => t, _ => (double[]?)null, StringComparer.Ordinal);
        long calibrated = 0;
        foreach (var frame in calibration.Frames)
        {
            var (pixels, width, height) = Cropped(frame, multiple);
            using var input = OrtValue.CreateTensorValueFromMemory(pixels, [1, 3, height, width]);
            using var results = session.Run(runOptions, [OnnxExport.InputName], [input], names);
            for (int i = 0; i < measured.Length; i++)
            {
                float min = results[2 * i].GetTensorDataAsSpan<float>()[0], max = results[2 * i + 1].GetTensorDataAsSpan<float>()[0];
                var r = ranges[measured[i]];
                ranges[measured[i]] = new Range(Math.Min(r.Min, min), Math.Max(r.Max, max));
            }
            // Each mean weighs by the frame's pixels (the probe's inner tensors scale with it).
            for (int i = 0; i < averaged.Length; i++)
            {
                var mean = results[2 * measured.Length + i].GetTensorDataAsSpan<float>();
                var sum = sums[averaged[i]] ??= new double[mean.Length];
                for (int c = 0; c < mean.Length; c++) sum[c] += (double)mean[c] * width * height;
            }
            calibrated += (long)width * height;
        }
        means = sums.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!.Select(v => (float)(v / calibrated)).ToArray(), StringComparer.Ordinal);
        if (tensors.Contains(OnnxExport.InputName)) ranges[OnnxExport.InputName] = new Range(0, 1);
        return ranges;
    }

    // The top-left part of the frame whose sides are multiples of the network's size multiple.
    private static (float[] Pixels, int Width, int Height) Cropped(CalibrationFrame frame, int multiple)
    {
        int width = frame.Width / multiple * multiple, height = frame.Height / multiple * multiple;
        if (width == 0 || height == 0)
            throw new ArgumentException($"Calibration frame {frame.Width}×{frame.Height} is smaller than the network's size multiple {multiple}.");
        if (width == frame.Width && height == frame.Height) return (frame.Planar, width, height);
        var pixels = new float[3 * width * height];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < height; y++)
                frame.Planar.AsSpan((c * frame.Height + y) * frame.Width, width).CopyTo(pixels.AsSpan((c * height + y) * width, width));
        return (pixels, width, height);
    }

    /// <summary>The QDQ graph: the float graph's nodes in order, a QuantizeLinear → DequantizeLinear pair after each
    /// planned tensor (every consumer reads the dequantised value), and the planned convolutions reading int8 weights and
    /// int32 biases through DequantizeLinear, with weights of magnitude at most <paramref name="weightLimit"/>.</summary>
    /// <param name="inputMeans">Per-channel means of convolution inputs (by tensor name): the bias of a quantised convolution
    /// reading one is corrected by the mean effect of its weights' rounding (<see cref="CorrectedBias"/>).</param>
    internal static OnnxGraph Rewrite(OnnxGraph graph, QuantisationPlan plan, IReadOnlyDictionary<string, Range> ranges, int weightLimit,
        IReadOnlyDictionary<string, float[]>? inputMeans = null)
    {
        var q = new OnnxGraph();
        var dequantised = new Dictionary<string, string>(StringComparer.Ordinal);
        var scales = new Dictionary<string, float>(StringComparer.Ordinal);
        var weights = new Dictionary<string, (sbyte[] Values, float[] Scales)>(StringComparer.Ordinal);   // by float weight name

        void Quantise(string tensor)
        {
            var (scale, zero) = ActivationParameters(ranges[tensor]);
            string s = q.AddInitializer($"{tensor}/scale", [], [scale]);
            string z = q.AddInitializer(new OnnxInitializer($"{tensor}/zero_point", [], OnnxElement.Uint8, new[] { zero }));
            q.Append(new OnnxNode("QuantizeLinear", $"{tensor}/QuantizeLinear", [tensor, s, z], [$"{tensor}/quantised"], []));
            q.Append(new OnnxNode("DequantizeLinear", $"{tensor}/DequantizeLinear", [$"{tensor}/quantised", s, z], [$"{tensor}/dequantised"], []));
            dequantised[tensor] = $"{tensor}/dequantised";
            scales[tensor] = scale;
        }

        // int8 weights are stored once however many convolutions share them (the shared KIB); each convolution gets its
        // own DequantizeLinear, as ONNX Runtime wants one per consumer.
        string Weight(string name, string node)
        {
            var weight = graph.Initializer(name)!;
            if (!weights.ContainsKey(name))
            {
                var (values, channelScales) = weights[name] = QuantizePerChannel((float[])weight.Data, weight.Dims[0], weightLimit);
                q.AddInitializer(new OnnxInitializer($"{name}/int8", weight.Dims, OnnxElement.Int8, values));
                q.AddInitializer($"{name}/scale", [weight.Dims[0]], channelScales);
                q.AddInitializer(new OnnxInitializer($"{name}/zero_point", [weight.Dims[0]], OnnxElement.Int8, new sbyte[weight.Dims[0]]));
            }
            q.Append(new OnnxNode("DequantizeLinear", $"{node}/weight", [$"{name}/int8", $"{name}/scale", $"{name}/zero_point"], [$"{node}/weight"],
                [OnnxAttribute.Int("axis", 0)]));
            return $"{node}/weight";
        }

        // The integer kernel adds the bias to the int32 accumulator, so it is quantised at input scale × weight scale.
        string Bias(string name, string weight, string input, float inputScale, string node)
        {
            var bias = (float[])graph.Initializer(name)!.Data;
            var quantised = weights[weight];
            if (inputMeans?.GetValueOrDefault(input) is float[] mean)
                bias = CorrectedBias(bias, (float[])graph.Initializer(weight)!.Data, quantised.Values, quantised.Scales, mean);
            var (values, biasScales) = QuantizeBias(bias, inputScale, quantised.Scales);
            q.AddInitializer(new OnnxInitializer($"{node}/bias_int32", [bias.Length], OnnxElement.Int32, values));
            q.AddInitializer($"{node}/bias_scale", [bias.Length], biasScales);
            q.AddInitializer(new OnnxInitializer($"{node}/bias_zero_point", [bias.Length], OnnxElement.Int32, new int[bias.Length]));
            q.Append(new OnnxNode("DequantizeLinear", $"{node}/bias", [$"{node}/bias_int32", $"{node}/bias_scale", $"{node}/bias_zero_point"], [$"{node}/bias"],
                [OnnxAttribute.Int("axis", 0)]));
            return $"{node}/bias";
        }

        if (plan.Tensors.Contains(OnnxExport.InputName)) Quantise(OnnxExport.InputName);
        foreach (var node in graph.Nodes)
        {
            var inputs = node.Inputs.Select(i => dequantised.GetValueOrDefault(i, i)).ToArray();
            if (plan.Convolutions.Contains(node.Name))
            {
                inputs[1] = Weight(node.Inputs[1], node.Name);
                if (inputs.Length > 2) inputs[2] = Bias(node.Inputs[2], node.Inputs[1], node.Inputs[0], scales[node.Inputs[0]], node.Name);
            }
            q.Append(node with { Inputs = inputs });
            foreach (string output in node.Outputs.Where(plan.Tensors.Contains)) Quantise(output);
        }
        var used = q.Nodes.SelectMany(n => n.Inputs).ToHashSet(StringComparer.Ordinal);
        foreach (var initializer in graph.Initializers.Where(i => used.Contains(i.Name))) q.AddInitializer(initializer);
        return q;
    }

    /// <summary>Symmetric int8 per output channel: scale = max|w|/limit over the channel (1 for an all-zero channel, whose
    /// values are then exact), values rounded half to even as ONNX's QuantizeLinear does and clamped to ±limit.</summary>
    /// <param name="weights">Row-major weights whose first dimension is the output channel.</param>
    /// <param name="limit">127, or 63 for 7-bit weights (<see cref="WeightLimitFor"/>).</param>
    internal static (sbyte[] Values, float[] Scales) QuantizePerChannel(float[] weights, long channels, int limit = 127)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 127);
        if (channels <= 0 || weights.Length % channels != 0)
            throw new ArgumentException($"{weights.Length} weights do not split into {channels} channels.", nameof(channels));
        int per = (int)(weights.Length / channels);
        var values = new sbyte[weights.Length];
        var scales = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            var channel = weights.AsSpan(c * per, per);
            float max = 0;
            foreach (float w in channel) max = Math.Max(max, Math.Abs(w));
            float scale = max > 0 ? max / limit : 1f;
            scales[c] = scale;
            for (int i = 0; i < per; i++)
                values[c * per + i] = (sbyte)Math.Clamp(MathF.Round(channel[i] / scale, MidpointRounding.ToEven), -limit, limit);
        }
        return (values, scales);
    }

    /// <summary>
    /// The inputs of the planned convolutions whose weights are a plain [out, in, kh, kw] of the input's channels (group 1):
    /// the tensors whose channel means <see cref="CorrectedBias"/> needs.
    /// </summary>
    internal static HashSet<string> ConvolutionInputs(OnnxGraph graph, QuantisationPlan plan) =>
        graph.Nodes.Where(n => plan.Convolutions.Contains(n.Name) && n.Inputs.Count > 2
                && n.Attributes.All(a => a.Name != "group" || a.IntValue == 1))
            .Select(n => n.Inputs[0]).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Bias correction for quantised weights (Nagel et al., "Data-Free Quantization", ICCV 2019): rounding the weights moves
    /// each output channel o by Σ_c,k (ŵ[o,c,k] − w[o,c,k])·x[c] on average, x[c] the input channel's mean over the
    /// calibration frames; that shift is taken out of the bias. Border pixels, where the padding's zeros replace x, see a
    /// slightly different shift. A channel count other than the means' leaves the bias as it is.
    /// </summary>
    internal static float[] CorrectedBias(float[] bias, float[] weights, sbyte[] values, float[] scales, float[] inputMeans)
    {
        int outputs = bias.Length;
        int per = weights.Length / outputs;
        if (per % inputMeans.Length != 0) return bias;
        int taps = per / inputMeans.Length;
        var corrected = (float[])bias.Clone();
        for (int o = 0; o < outputs; o++)
        {
            double shift = 0;
            for (int c = 0; c < inputMeans.Length; c++)
            {
                double error = 0;
                for (int k = 0; k < taps; k++)
                {
                    int i = o * per + c * taps + k;
                    error += values[i] * (double)scales[o] - weights[i];
                }
                shift += error * inputMeans[c];
            }
            corrected[o] = (float)(bias[o] - shift);
        }
        return corrected;
    }

    internal static (int[] Values, float[] Scales) QuantizeBias(float[] bias, float inputScale, float[] weightScales)
    {
        var values = new int[bias.Length];
        var scales = new float[bias.Length];
        for (int c = 0; c < bias.Length; c++)
        {
            scales[c] = inputScale * weightScales[c];
            values[c] = (int)Math.Clamp(Math.Round(bias[c] / (double)scales[c], MidpointRounding.ToEven), int.MinValue, int.MaxValue);
        }
        return (values, scales);
    }

    /// <summary>uint8 scale and zero point of a range, widened to include 0 so that zero (the convolutions' padding, a ReLU's
    /// floor) is exact; a tensor that was always 0 gets scale 1.</summary>
    internal static (float Scale, byte ZeroPoint) ActivationParameters(Range range)
    {
        float low = Math.Min(0, range.Min), high = Math.Max(0, range.Max);
        if (!(high > low)) return (1f, 0);
        float scale = (high - low) / 255f;
        return (scale, (byte)Math.Clamp(MathF.Round(-low / scale, MidpointRounding.ToEven), 0, 255));
    }
}
