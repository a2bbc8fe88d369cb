// ONNX export of the KPNet family for a second inference backend (issue #9). TorchSharp has no ONNX exporter and no
// tracer, so the graph is written by walking the C# modules and emitting, per module type, the operators its
// forward runs, in the same order and with the same association of sums and products.
using System.Globalization;
using HdrUp.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HdrUp.Models.Onnx;

/// <summary>
/// Writes a <see cref="KPNet"/> (every registry entry built on it: <c>kpnet</c>, the narrow <c>kpnet-nf16/24/32</c>
/// and the ablations) as an ONNX model (IR 8, opset 17) with its weights as initializers. The graph is the
/// eval-mode forward: BatchNorm uses its running statistics. Input <see cref="InputName"/> is 1×3×H×W float32 with
/// free H and W, which must be multiples of the network's <see cref="HdrNetwork.SizeMultiple"/> (stored in the
/// model's metadata under <see cref="SizeMultipleKey"/>; <see cref="Inference.FrameInference"/> pads to it); output
/// <see cref="OutputName"/> is 1×3×H×W, unclamped.
/// </summary>
public static class OnnxExport
{
    public const string InputName = "sdr";
    public const string OutputName = "hdr";
    public const string SizeMultipleKey = "size_multiple";

    /// <summary>
    /// Version of the graphs written here, part of <see cref="OnnxGraphCache.Key"/>: raise it whenever the same network
    /// and weights would give another graph (an operator, an attribute, a node order, a metadata entry), so graphs
    /// cached by an older HdrUp are made again. A test records the graphs of every registered architecture to catch a
    /// change that forgets to.
    /// </summary>
    public const int Version = 3;

    /// <summary>True if <see cref="Export"/> handles <paramref name="network"/>: every KPNet-family network.</summary>
    public static bool CanExport(HdrNetwork network) => network is KPNet;

    /// <summary>The serialised ONNX model of <paramref name="network"/> with its current weights.</summary>
    /// <exception cref="NotSupportedException">The network, or a module inside it, has no ONNX mapping here
    /// (the message names it).</exception>
    public static byte[] Export(HdrNetwork network) => ExportTraced(network).Model;

    /// <summary><see cref="Export"/>, and the path of every module the graph was emitted from: what a test compares with
    /// the network's modules, so that a module added to a network but not to the exporter cannot go unnoticed even when
    /// it has no weights (which <c>CheckEveryParameterUsed</c> would miss).</summary>
    internal static (byte[] Model, IReadOnlySet<string> EmittedModules) ExportTraced(HdrNetwork network)
    {
        var (graph, metadata, emitted) = Build(network);
        return (Serialize(graph, network.GetType().Name, metadata), emitted);
    }

    /// <summary>The graph of <paramref name="network"/> before serialisation, its metadata and the modules it was emitted from:
    /// what <see cref="OnnxInt8"/> rewrites.</summary>
    internal static (OnnxGraph Graph, Dictionary<string, string> Metadata, IReadOnlySet<string> EmittedModules) Build(HdrNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network is not KPNet kpnet)
            throw new NotSupportedException($"ONNX export supports the KPNet family only; {network.GetType().Name} is not supported.");
        using var scope = NewDisposeScope();
        var emitter = new Emitter();
        string output = emitter.Network(kpnet, InputName);
        emitter.CheckEveryParameterUsed(kpnet);
        emitter.Graph.Alias(output, OutputName);
        var metadata = new Dictionary<string, string>
        {
            [SizeMultipleKey] = network.SizeMultiple.ToString(CultureInfo.InvariantCulture),
            ["network"] = network.GetType().Name,
            ["width"] = network.Width.ToString(CultureInfo.InvariantCulture),
        };
        return (emitter.Graph, metadata, emitter.Emitted);
    }

    /// <summary>The ModelProto of a graph with the frame input and output every exported graph has.</summary>
    internal static byte[] Serialize(OnnxGraph graph, string name, IReadOnlyDictionary<string, string> metadata)
    {
        OnnxDim[] shape = [1, 3, "height", "width"];
        return graph.ToModel(name, (InputName, shape), (OutputName, shape), metadata);
    }

    /// <summary>A plain convolution node (zero padding, no dilation, one group) reading <paramref name="inputs"/>: the input,
    /// the weight and optionally the bias. The one way a convolution enters a graph here: the network's, and the convolution
    /// ceiling's (<see cref="Inference.ConvCeiling"/>), so that both run the same operator.</summary>
    internal static string ConvNode(OnnxGraph graph, IReadOnlyList<string> inputs, long[] kernel, long[] stride, long[] padding)
        => graph.Add("Conv", inputs,
            OnnxAttribute.Ints("kernel_shape", kernel),
            OnnxAttribute.Ints("strides", stride),
            OnnxAttribute.Ints("pads", padding[0], padding[1], padding[0], padding[1]),   // begin H, begin W, end H, end W
            OnnxAttribute.Ints("dilations", 1, 1),
            OnnxAttribute.Int("group", 1));

    /// <summary>Emits the operators of one module at a time; initializers are named by state-dict key, so a module
    /// that runs several times (the shared KIB, the shared coordinate attention) has its weights stored once.</summary>
    private sealed class Emitter
    {
        public OnnxGraph Graph { get; } = new();
        public HashSet<string> Emitted { get; } = new(StringComparer.Ordinal);
        private readonly HashSet<string> used = new(StringComparer.Ordinal);

        /// <summary>Mirrors <c>KPNet.Run</c>: branches, alignment to H/2, fusion, tail.</summary>
        public string Network(KPNet net, string input)
        {
            string f0 = Relu(Sub(net, "", "conv_first", input));
            string? m0 = Find(net, "down_conv1") is null ? null : Relu(Sub(net, "", "down_conv1", f0));
            var aligned = new List<string>(3);
            if (Find(net, "dislocation_change1") is not null)
                aligned.Add(Kib(net, Sub(net, "", "dislocation_change1", m0!)));
            if (Find(net, "dislocation_change2") is not null)
            {
                string s0 = Relu(Sub(net, "", "down_conv2", m0!));
                aligned.Add(Sub(net, "", "up_KIB2", Kib(net, Sub(net, "", "dislocation_change2", s0))));
            }
            if (Find(net, "dislocation_change3") is not null)
                aligned.Add(Sub(net, "", "down_conv3", Kib(net, Sub(net, "", "dislocation_change3", f0))));

            string g = Find(net, "brain") is null
                ? aligned.Skip(1).Aggregate(aligned[0], Add)   // one branch, or sum fusion (KM + U) + D
                : Child(net, "", "brain") switch
                {
                    InformationFusion ifm => Ifm(ifm, "brain", aligned),
                    WeightedFusion wf => Weighted(wf, "brain", aligned),
                    UnpairedFusion uf => Unpaired(uf, "brain", aligned),
                    var other => throw Unsupported(other, "brain"),
                };
            return Tail(net, g);
        }

        // conv_last(ReLU(PS2(up_conv2.0(g)))). A 3×3 convolution of a pixel-shuffled tensor equals the cropped shuffle of a
        // 2×2 convolution of the unshuffled one at half resolution (SubPixelFold), and ReLU commutes with a shuffle, so the
        // tail is emitted as up_conv2.0 → ReLU → the folded conv_last → a 3-channel shuffle → a one-pixel crop. The
        // full-resolution tensor of nf channels then never exists: in the fast model at 1080p its shuffle and the 3-output
        // convolution reading it were a third of the int8 graph's time (README, Performance). Any other tail is emitted as
        // the network runs it.
        private string Tail(KPNet net, string g)
        {
            if (Child(net, "", "up_conv2") is not Sequential || Find(net, "up_conv2.1") is not PixelShuffle { upscale_factor: 2 }
                || Child(net, "", "conv_last") is not Conv2d last || !SubPixelFold.Applies(last))
                return Sub(net, "", "conv_last", Relu(Sub(net, "", "up_conv2", g)));
            string features = Relu(Sub(net, "", "up_conv2.0", g));
            Child(net, "", "up_conv2.1");   // its shuffle moves into the folded weights and the 3-channel shuffle after them
            var weight = last.weight!;
            var (folded, shape) = SubPixelFold.Weight(Values(weight), weight.shape[0], weight.shape[1]);
            var inputs = new List<string> { features, Folded("conv_last", "weight", shape, folded) };
            if (last.bias is not null)
            {
                float[] bias = SubPixelFold.Bias(Values(last.bias));
                inputs.Add(Folded("conv_last", "bias", [bias.Length], bias));
            }
            string sub = ConvNode(Graph, inputs, [SubPixelFold.Kernel, SubPixelFold.Kernel], [1, 1], [1, 1]);
            string shuffled = Graph.Add("DepthToSpace", [sub], OnnxAttribute.Int("blocksize", 2), OnnxAttribute.Text("mode", "CRD"));
            return Crop(shuffled, "conv_last/sub_pixel_crop");
        }

        // R(x) ⊙ X(x) + Y(x), or the ablated forms without alpha and/or belta.
        private string Kib(KPNet net, string x)
        {
            string k = Sub(net, "", "recon_trunk", x);
            if (Find(net, "alpha") is not null) k = Mul(k, Sub(net, "", "alpha", x));
            if (Find(net, "belta") is not null) k = Add(k, Sub(net, "", "belta", x));
            return k;
        }

        private string Ifm(InformationFusion ifm, string path, IReadOnlyList<string> f)
        {
            string Pair(string a, string b, string block)
            {
                string p = Relu(Sub(ifm, path, "conv_1x1Share", Concat(1, a, b)));
                return Sub(ifm, path, "nm_att", Sub(ifm, path, block, p));
            }
            string c = f.Count == 3
                ? Relu(Add(Add(Pair(f[0], f[1], "conv1"), Pair(f[0], f[2], "conv2")), Pair(f[1], f[2], "conv3")))
                : Relu(Pair(f[0], f[1], "conv1"));
            return Refine(ifm, path, c);
        }

        private string Weighted(WeightedFusion wf, string path, IReadOnlyList<string> f)
        {
            string Weight(int i)
            {
                string name = $"{path}.alpha{i}";
                return Graph.HasInitializer(name) ? name : Graph.AddInitializer(name, [], [(float)WeightedFusion.Alphas[i]]);
            }
            string sum = Mul(f[0], Weight(0));
            for (int i = 1; i < f.Count; i++) sum = Add(sum, Mul(f[i], Weight(i)));
            return Refine(wf, path, Relu(sum));
        }

        private string Unpaired(UnpairedFusion uf, string path, IReadOnlyList<string> f)
        {
            string? sum = null;
            for (int k = 0; k < f.Count; k++)
            {
                string t = Relu(Sub(uf, path, $"conv_1x1.{k}", f[k]));
                t = Sub(uf, path, "nm_att", Sub(uf, path, $"blocks.{k}", t));
                sum = sum is null ? t : Add(sum, t);
            }
            return Refine(uf, path, Relu(sum!));
        }

        // The IFM family's tail: refine.1(ReLU(refine.0(c))), no activation after refine.1.
        private string Refine(nn.Module fusion, string path, string c)
            => Sub(fusion, path, "refine.1", Relu(Sub(fusion, path, "refine.0", c)));

        /// <summary>One Tensor → Tensor module by type; the composite blocks mirror their forward.</summary>
        private string Module(nn.Module module, string path, string x) => module switch
        {
            Conv2d conv => Conv(conv, path, x),
            ConvLayer layer => Sub(layer, path, "conv", x),
            Sequential sequential => sequential.named_children().Aggregate(x, (t, child) => Sub(sequential, path, child.Item1, t)),
            PixelShuffle shuffle => Graph.Add("DepthToSpace", [x], OnnxAttribute.Int("blocksize", shuffle.upscale_factor), OnnxAttribute.Text("mode", "CRD")),
            BatchNorm2d norm => BatchNorm(norm, path, x),
            ResidualBlock block => Add(x, Relu(Sub(block, path, "conv2", Relu(Sub(block, path, "conv1", x))))),
            DislocationChange dc => Dislocation(dc, path, x),
            ReconTrunk trunk => Trunk(trunk, path, x),
            CoordinateAttention ca => Attention(ca, path, x),
            _ => throw Unsupported(module, path),
        };

        private string Conv(Conv2d conv, string path, string x)
        {
            if (conv.padding_mode != PaddingModes.Zeros || conv.padding_type is not null || conv.groups != 1 || conv.dilation.Any(d => d != 1))
                throw new NotSupportedException($"ONNX export: convolution '{path}' uses {conv.padding_mode} padding, groups {conv.groups} or dilation; only plain zero-padded convolutions are supported.");
            var inputs = new List<string> { x, Parameter(path, "weight", conv.weight!) };
            if (conv.bias is not null) inputs.Add(Parameter(path, "bias", conv.bias));
            return ConvNode(Graph, inputs, conv.kernel_size, conv.stride, conv.padding!);   // numeric padding whenever padding_type is null
        }

        // Eval mode: the running statistics, which is what the TorchSharp network uses after eval().
        private string BatchNorm(BatchNorm2d norm, string path, string x)
        {
            if (norm.weight is null || norm.bias is null || norm.running_mean is null || norm.running_var is null)
                throw new NotSupportedException($"ONNX export: BatchNorm '{path}' needs affine parameters and running statistics.");
            return Graph.Add("BatchNormalization",
                [x, Parameter(path, "weight", norm.weight), Parameter(path, "bias", norm.bias),
                 Parameter(path, "running_mean", norm.running_mean), Parameter(path, "running_var", norm.running_var)],
                OnnxAttribute.Float("epsilon", (float)norm.eps));
        }

        // a = ReLU(conv1(x)) + x, b = ReLU(conv2(a)), fuse(cat(a, b, x)).
        private string Dislocation(DislocationChange dc, string path, string x)
        {
            string a = Add(Relu(Sub(dc, path, "conv1", x)), x);
            string b = Relu(Sub(dc, path, "conv2", a));
            return Sub(dc, path, "fuse", Concat(1, a, b, x));
        }

        // ReconTrunk.forward with its private split_hl inlined; the optional BatchNorms are the Tab. 4 ablation.
        private string Trunk(ReconTrunk trunk, string path, string x)
        {
            var split = Child(trunk, path, "split_hl");
            string splitPath = Join(path, "split_hl");
            string high = Optional(split, splitPath, "bn_h", Sub(split, splitPath, "h2h", x));
            string pooled = Graph.Add("AveragePool", [x], OnnxAttribute.Ints("kernel_shape", 2, 2), OnnxAttribute.Ints("strides", 2, 2));
            string low = Optional(split, splitPath, "bn_l", Sub(split, splitPath, "h2l", pooled));
            string Expand(string t, string convs, string norms)   // E(t) = conv.1(ReLU(conv.0(t))), norms after each conv
                => Optional(trunk, path, $"{norms}.1", Sub(trunk, path, $"{convs}.1",
                    Relu(Optional(trunk, path, $"{norms}.0", Sub(trunk, path, $"{convs}.0", t)))));
            string eh = Expand(high, "conv_h", "norm_h");
            string up = Sub(trunk, path, "up_sampel", Expand(low, "conv_l", "norm_l"));
            string s = Add(Add(eh, up), x);
            return Relu(Expand(s, "refine", "norm_refine"));
        }

        // The whole block stays float in the int8 graph: the pooled row and column statistics and the sigmoid gates are a
        // few values per row and column, cost next to nothing in float, and scale every pixel of the block's output.
        private string Attention(CoordinateAttention ca, string path, string x)
        {
            bool outer = Graph.KeepingFloat;
            Graph.KeepingFloat = true;
            try
            {
                return AttentionNodes(ca, path, x);
            }
            finally
            {
                Graph.KeepingFloat = outer;
            }
        }

        // (x · gw) · gh with gh, gw from the row and column means stacked along H, exactly as the forward does; the
        // split sizes (h, w) come from the input's shape because H and W are free in the graph.
        private string AttentionNodes(CoordinateAttention ca, string path, string x)
        {
            string hw = Graph.Add("Shape", [x], OnnxAttribute.Int("start", 2), OnnxAttribute.Int("end", 4));
            string zh = Graph.Add("ReduceMean", [x], OnnxAttribute.Ints("axes", 3), OnnxAttribute.Int("keepdims", 1));
            string zw = Transpose(Graph.Add("ReduceMean", [x], OnnxAttribute.Ints("axes", 2), OnnxAttribute.Int("keepdims", 1)));
            string z = Concat(2, zh, zw);
            string f = Graph.Add("HardSwish", [Sub(ca, path, "bn1", Sub(ca, path, "conv1", z))]);
            var parts = Graph.Add("Split", [f, hw], 2, OnnxAttribute.Int("axis", 2));
            string gh = Graph.Add("Sigmoid", [Sub(ca, path, "conv_h", parts[0])]);
            string gw = Graph.Add("Sigmoid", [Sub(ca, path, "conv_w", Transpose(parts[1]))]);
            return Mul(Mul(x, gw), gh);
        }

        /// <summary>Throws if a weight of an executed module never reached the graph: the exporter no longer mirrors
        /// the network's forward (a module was added or renamed).</summary>
        public void CheckEveryParameterUsed(HdrNetwork network)
        {
            var missing = network.state_dict().Keys
                .Where(key => !key.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
                .Where(key => !network.NeverExecutedModules.Any(m => key.StartsWith(m + ".", StringComparison.Ordinal)))
                .Where(key => !used.Contains(key))
                .ToList();
            if (missing.Count > 0)
                throw new NotSupportedException($"ONNX export of {network.GetType().Name} left out {string.Join(", ", missing)}; the exporter does not know that structure.");
        }

        private string Parameter(string path, string name, Tensor tensor)
        {
            string key = Join(path, name);
            used.Add(key);
            return Graph.HasInitializer(key) ? key : Graph.AddInitializer(key, tensor.shape, Values(tensor));
        }

        // x without its first and last row and column (Slice on H and W).
        private string Crop(string x, string name)
        {
            string Indices(string what, long first, long second) =>
                Graph.AddInitializer(new OnnxInitializer($"{name}/{what}", [2], OnnxElement.Int64, new[] { first, second }));
            return Graph.Add("Slice", [x, Indices("starts", 1, 1), Indices("ends", -1, -1), Indices("axes", 2, 3)]);
        }

        // A parameter stored rearranged (SubPixelFold): used under its state-dict key, stored as KEY/sub_pixel.
        private string Folded(string path, string name, long[] dims, float[] values)
        {
            string key = Join(path, name);
            used.Add(key);
            return Graph.AddInitializer($"{key}/sub_pixel", dims, values);
        }

        private static float[] Values(Tensor tensor) => tensor.detach().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();

        // The child at dotted path `name` (e.g. "refine.0") run on x; its weights are named under parentPath.name.
        private string Sub(nn.Module parent, string parentPath, string name, string x) => Module(Child(parent, parentPath, name), Join(parentPath, name), x);

        // x through the child if the module has it (the optional normalisations), else x itself.
        private string Optional(nn.Module parent, string parentPath, string name, string x)
            => Find(parent, name) is null ? x : Sub(parent, parentPath, name, x);

        // Every module the graph is emitted from is looked up here, which makes this the one place that records them.
        private nn.Module Child(nn.Module parent, string parentPath, string name)
        {
            var child = Find(parent, name) ?? throw new NotSupportedException($"ONNX export: '{Join(parentPath, name)}' is missing from {parent.GetType().Name}; the exporter does not know that structure.");
            Emitted.Add(Join(parentPath, name));
            return child;
        }

        private static nn.Module? Find(nn.Module parent, string name)
        {
            nn.Module? module = parent;
            foreach (string part in name.Split('.'))
                module = module?.named_children().FirstOrDefault(c => c.Item1 == part).Item2;
            return module;
        }

        private string Relu(string x) => Graph.Add("Relu", [x]);
        private string Add(string a, string b) => Graph.Add("Add", [a, b]);
        private string Mul(string a, string b) => Graph.Add("Mul", [a, b]);
        private string Concat(long axis, params string[] xs) => Graph.Add("Concat", xs, OnnxAttribute.Int("axis", axis));
        private string Transpose(string x) => Graph.Add("Transpose", [x], OnnxAttribute.Ints("perm", 0, 1, 3, 2));   // swap H and W

        private static NotSupportedException Unsupported(nn.Module module, string path)
            => new($"ONNX export: module '{path}' of type {module.GetType().Name} is not supported.");

        private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
    }
}
