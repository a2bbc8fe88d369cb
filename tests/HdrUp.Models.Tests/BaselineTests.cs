using System.Globalization;
using HdrUp.Models.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.Tests;

// The learned baselines of the KPNet paper, Tab. 1 (CSRNet, DnCNN, DnCNN+KUNet) and the narrow KPNet family.
// Every count below is derived from the layer sizes (k×k·in·out weights + out biases; BN γ and β), not printed.
public sealed class BaselineTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hdrup-baselines-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static long Conv(long k, long cin, long cout, bool bias = true) => k * k * cin * cout + (bias ? cout : 0);

    /// <summary>Same shape and bit-for-bit equal values.</summary>
    private static bool Identical(Tensor a, Tensor b)
    {
        using var eq = a.eq(b);
        return a.shape.SequenceEqual(b.shape) && eq.all().item<bool>();
    }

    private static long Fc(long cin, long cout) => cin * cout + cout;

    // ---- CSRNet ------------------------------------------------------------------------------------------------

    // CSRNet paper (ECCV 2020) / KPNet Tab. 1: 36,489 ≈ "36K" at base_nf 64, cond_nf 32.
    // cond_net: 7×7 3→32 (4,736) + 3×3 32→32 (9,248) ×2 = 23,232; GFM: 4 × FC 32→64 (2,112) + 2 × FC 32→3 (99) = 8,646;
    // base: 1×1 3→64 (256) + 64→64 (4,160) + 64→3 (195) = 4,611.
    [Fact]
    public void CSRNet_has_the_published_36489_parameters_module_by_module()
    {
        using var net = new CSRNet();
        var summary = ModelSummary.Of(net);
        var expected = new Dictionary<string, long>
        {
            ["cond_net"] = Conv(7, 3, 32) + 2 * Conv(3, 32, 32),
            ["cond_scale1"] = Fc(32, 64), ["cond_scale2"] = Fc(32, 64), ["cond_scale3"] = Fc(32, 3),
            ["cond_shift1"] = Fc(32, 64), ["cond_shift2"] = Fc(32, 64), ["cond_shift3"] = Fc(32, 3),
            ["conv1"] = Conv(1, 3, 64), ["conv2"] = Conv(1, 64, 64), ["conv3"] = Conv(1, 64, 3),
        };
        Assert.Equal(expected.Keys.ToArray(), summary.Modules.Select(m => m.Name).ToArray());   // also the key order
        foreach (var m in summary.Modules) Assert.Equal(expected[m.Name], m.Parameters);
        Assert.Equal(23_232, expected["cond_net"]);
        Assert.Equal(36_489, summary.TotalParameters);
        Assert.Equal(36_489, summary.ExecutedParameters);
        Assert.Equal(24, summary.StateDictEntries);                 // 12 layers × (weight, bias), no buffers
    }

    [Fact]
    public void CSRNet_state_dict_keys_and_shapes()
    {
        using var net = new CSRNet();
        var sd = net.state_dict();
        Assert.Equal(new long[] { 32, 3, 7, 7 }, sd["cond_net.conv1.weight"].shape);
        Assert.Equal(new long[] { 32, 32, 3, 3 }, sd["cond_net.conv3.weight"].shape);
        Assert.Equal(new long[] { 64, 32 }, sd["cond_scale1.weight"].shape);   // Linear: out × in
        Assert.Equal(new long[] { 3 }, sd["cond_shift3.bias"].shape);
        Assert.Equal(new long[] { 64, 64, 1, 1 }, sd["conv2.weight"].shape);
        Assert.Equal("cond_net.conv1.weight", sd.Keys.First());
        Assert.Equal("conv3.bias", sd.Keys.Last());
    }

    // Any size from 5×5 (7×7 kernel, padding 1) works, odd ones included; the batch dimension is kept.
    [Theory]
    [InlineData(1, 5, 5)]
    [InlineData(2, 17, 23)]
    [InlineData(1, 32, 48)]
    public void CSRNet_keeps_the_frame_size_for_any_size(int n, int h, int w)
    {
        using var net = new CSRNet();
        net.eval();
        using var noGrad = torch.no_grad();
        using var x = torch.rand(n, 3, h, w);
        using var y = net.call(x);
        Assert.Equal(new long[] { n, 3, h, w }, y.shape);
        Assert.Equal(1, net.SizeMultiple);
    }

    [Fact]
    public void CSRNet_refuses_inputs_smaller_than_5x5()
    {
        using var net = new CSRNet();
        using var x = torch.rand(1, 3, 4, 9);
        var e = Assert.Throws<ArgumentException>(() => net.call(x));
        Assert.Contains("4×9", e.Message);
    }

    // The base network is 1×1 convolutions: with the condition net and GFM layers zeroed (γ = β = 0 → identity modulation, the
    // released f·γ + β + f form) changing one input pixel changes exactly that output pixel and no other.
    [Fact]
    public void CSRNet_base_network_is_per_pixel_and_zeroed_GFM_is_the_identity_modulation()
    {
        using var net = new CSRNet();
        net.eval();
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in net.named_parameters())
            if (name.StartsWith("cond_", StringComparison.Ordinal)) p.zero_();
        using var x = torch.rand(1, 3, 9, 11, generator: new torch.Generator(7));
        using var x2 = x.clone();
        using (var pixel = x2.select(0, 0).select(1, 4).select(1, 6)) pixel.copy_(torch.tensor(new float[] { 0.9f, 0.1f, 0.5f }));
        using var y = net.call(x);
        using var y2 = net.call(x2);
        using var changed = (y - y2).abs().sum(new long[] { 0, 1 }).gt(0.0);   // H×W mask of changed output pixels
        Assert.Equal(1, changed.sum().item<long>());
        Assert.True(changed[4, 6].item<bool>());
    }

    // ---- DnCNN -------------------------------------------------------------------------------------------------

    // 558,403 = conv_first 3×3 3→64 + bias (1,792) + 15 × (3×3 64→64 without bias 36,864 + BN γ,β 128) (554,880)
    // + conv_last 3×3 64→3 + bias (1,731). Paper Tab. 1 says 559K = 559,363: the same plus 15 × 64 = 960 pre-BN
    // biases that the original design does not have (BN's β absorbs them).
    [Fact]
    public void DnCNN_has_558403_parameters_and_the_paper_559K_is_the_pre_BN_biases()
    {
        using var net = new DnCNN();
        var summary = ModelSummary.Of(net);
        var m = summary.Modules.ToDictionary(x => x.Name);
        Assert.Equal(new[] { "conv_first", "body", "conv_last" }, summary.Modules.Select(x => x.Name).ToArray());
        Assert.Equal(Conv(3, 3, 64), m["conv_first"].Parameters);
        Assert.Equal(15 * (Conv(3, 64, 64, bias: false) + 2 * 64), m["body"].Parameters);
        Assert.Equal(15 * (2 * 64 + 1), m["body"].Buffers);                 // running mean, var, num_batches_tracked
        Assert.Equal(Conv(3, 64, 3), m["conv_last"].Parameters);
        Assert.Equal(558_403, summary.TotalParameters);
        Assert.Equal(559_363, summary.TotalParameters + 15 * 64);
        Assert.Equal(2 + 15 * 6 + 2, summary.StateDictEntries);             // 94
        Assert.Equal(17, net.Depth);
    }

    [Fact]
    public void DnCNN_state_dict_keys_have_no_bias_before_BN()
    {
        using var net = new DnCNN();
        var sd = net.state_dict();
        Assert.Equal(new long[] { 64, 3, 3, 3 }, sd["conv_first.weight"].shape);
        Assert.Equal(new long[] { 64, 64, 3, 3 }, sd["body.0.conv.weight"].shape);
        Assert.False(sd.ContainsKey("body.0.conv.bias"));
        Assert.Equal(new long[] { 64 }, sd["body.14.bn.running_var"].shape);
        Assert.Equal(ScalarType.Int64, sd["body.14.bn.num_batches_tracked"].dtype);
        Assert.False(sd.ContainsKey("body.15.conv.weight"));
        Assert.Equal(new long[] { 3 }, sd["conv_last.bias"].shape);
    }

    [Theory]
    [InlineData(7, 9)]
    [InlineData(16, 24)]
    public void DnCNN_keeps_any_frame_size(int h, int w)
    {
        using var net = new DnCNN();
        net.eval();
        using var noGrad = torch.no_grad();
        using var x = torch.rand(1, 3, h, w);
        using var y = net.call(x);
        Assert.Equal(new long[] { 1, 3, h, w }, y.shape);
        Assert.Equal(1, net.SizeMultiple);
    }

    // Residual learning O = x + R(x): with the last convolution zeroed R ≡ 0 and the output is the input, bit for bit.
    [Fact]
    public void DnCNN_output_is_input_plus_residual()
    {
        using var net = new DnCNN();
        net.eval();
        using var noGrad = torch.no_grad();
        var sd = net.state_dict();
        sd["conv_last.weight"].zero_();
        sd["conv_last.bias"].zero_();
        using var x = torch.rand(1, 3, 8, 10);
        using var y = net.call(x);
        Assert.True(Identical(y, x));
    }

    // ---- DnCNN + KUNet -----------------------------------------------------------------------------------------

    // Paper Tab. 1: 1.68M (its 559K + 1.12M). Exact: 558,403 + 1,136,643 (KUNet, spec §10) = 1,695,046.
    [Fact]
    public void Cascade_count_is_the_sum_of_its_parts_and_keys_are_prefixed()
    {
        using var cascade = new DnCNNKUNet();
        using var dncnn = new DnCNN();
        using var kunet = new KUNet();
        var c = ModelSummary.Of(cascade);
        var d = ModelSummary.Of(dncnn);
        var k = ModelSummary.Of(kunet);
        Assert.Equal(d.TotalParameters + k.TotalParameters, c.TotalParameters);
        Assert.Equal(558_403 + 1_136_643, c.TotalParameters);
        Assert.Equal(d.StateDictEntries + k.StateDictEntries, c.StateDictEntries);   // 94 + 74
        Assert.Equal(new[] { "dncnn", "kunet" }, c.Modules.Select(m => m.Name).ToArray());
        var keys = cascade.state_dict().Keys.ToArray();
        Assert.Equal(dncnn.state_dict().Keys.Select(x => "dncnn." + x).Concat(kunet.state_dict().Keys.Select(x => "kunet." + x)), keys);
        Assert.Contains("dncnn.body.0.bn.weight", keys);
        Assert.Contains("kunet.conv_first.weight", keys);
        Assert.Equal("dncnn.conv_first.weight", keys[0]);
        Assert.Equal(4, cascade.SizeMultiple);
        Assert.Equal(64, cascade.Width);
    }

    [Theory]
    [InlineData(8, 12)]
    [InlineData(12, 20)]
    public void Cascade_keeps_multiples_of_4(int h, int w)
    {
        using var net = new DnCNNKUNet();
        net.eval();
        using var noGrad = torch.no_grad();
        using var x = torch.rand(1, 3, h, w);
        using var y = net.call(x);
        Assert.Equal(new long[] { 1, 3, h, w }, y.shape);
    }

    // Two separately trained checkpoints (plain, unprefixed keys) assemble into the cascade, which then computes
    // exactly KUNet(DnCNN(x)) with those weights.
    [Fact]
    public void Cascade_from_two_checkpoints_equals_running_the_parts_in_turn()
    {
        using var dncnn = new DnCNN();
        using var kunet = new KUNet();
        TrainOneStepOfBatchNorm(dncnn);                            // non-default running statistics must travel too
        dncnn.eval();
        kunet.eval();
        string pd = Path.Combine(dir, "dncnn.safetensors"), pk = Path.Combine(dir, "kunet.safetensors");
        Checkpoint.SaveSafetensors(dncnn, pd);
        Checkpoint.SaveSafetensors(kunet, pk);
        using var cascade = DnCNNKUNet.FromCheckpoints(pd, pk);
        Assert.False(cascade.training);
        using var noGrad = torch.no_grad();
        using var x = torch.rand(1, 3, 8, 12);
        using var mid = dncnn.call(x);
        using var expected = kunet.call(mid);
        using var actual = cascade.call(x);
        Assert.True(Identical(actual, expected));
        // The wrong file for a part fails strictly, naming the file.
        var e = Assert.Throws<InvalidDataException>(() => DnCNNKUNet.FromCheckpoints(pk, pd));
        Assert.Contains(pk, e.Message);
    }

    // ---- Narrow KPNet ------------------------------------------------------------------------------------------

    // Published KPNet parameters as a function of nf, summed from the layers of kpnet-architecture.md §5
    // (m = max(8, nf/32) is the CA bottleneck). Closed form: 377nf² + 105nf + 3 + 3m(nf + 1).
    private static long KPNetParameters(long nf)
    {
        long m = Math.Max(8, nf / 32);
        long stride2 = Conv(3, nf, nf);                                          // down_conv1/2/3, down_fea1
        long trunk = 2 * Conv(3, nf, nf, bias: false) + 4 * Conv(3, nf, nf)     // split_hl, conv_h, conv_l
                     + Conv(3, nf, 4 * nf) + Conv(3, nf, nf) + Conv(1, nf, nf); // up_sampel, refine
        long dc = 2 * Conv(3, nf, nf) + Conv(1, 3 * nf, nf);
        long up = Conv(3, nf, 4 * nf);                                           // up_conv1, up_conv2, up_KIB2
        long ca = Conv(1, nf, m) + 2 * m + 2 * Conv(1, m, nf);                   // conv1, bn1 γ β, conv_h, conv_w
        long brain = Conv(1, 2 * nf, nf) + 3 * 2 * Conv(3, nf, nf) + Conv(3, nf, nf) + Conv(1, nf, nf) + ca;
        long modulators = 2 * 2 * Conv(1, nf, nf);                               // alpha, belta
        return Conv(3, 3, nf) + 4 * stride2 + trunk + 3 * dc + 3 * up + Conv(3, nf, 3) + brain + modulators;
    }

    [Fact]
    public void KPNet_count_formula_reproduces_the_published_count()
    {
        Assert.Equal(1_552_475, KPNetParameters(64));                           // spec header / paper Tab. 1 "1.55M"
        foreach (long nf in new long[] { 16, 24, 32, 64, 128 })
            Assert.Equal(377 * nf * nf + 105 * nf + 3 + 3 * Math.Max(8, nf / 32) * (nf + 1), KPNetParameters(nf));
    }

    // Values of the closed form: nf 16 → 96,512 + 1,680 + 3 + 408; nf 24 → 217,152 + 2,520 + 3 + 600;
    // nf 32 → 386,048 + 3,360 + 3 + 792 (m = 8 in all three: nf/32 ≤ 1).
    [Theory]
    [InlineData("kpnet-nf16", 16, 98_603)]
    [InlineData("kpnet-nf24", 24, 220_275)]
    [InlineData("kpnet-nf32", 32, 390_203)]
    public void Narrow_KPNet_entries_are_kpnet_at_a_fixed_width(string name, int nf, long parameters)
    {
        Assert.Equal(parameters, KPNetParameters(nf));
        using var net = ArchRegistry.Create(name);                              // default width → the entry's own
        using var same = ArchRegistry.Create(name, nf);
        using var kpnet = ArchRegistry.Create("kpnet", nf);
        Assert.Equal(nf, net.Width);
        Assert.Equal(8, net.SizeMultiple);
        Assert.Equal(parameters, ModelSummary.Of(net).TotalParameters);
        Assert.Equal(parameters, ModelSummary.Of(same).TotalParameters);
        // Same keys and shapes as `kpnet` at that width, so weights trained either way load into the other.
        Assert.Equal(kpnet.state_dict().Select(kv => (kv.Key, string.Join("x", kv.Value.shape))),
                     net.state_dict().Select(kv => (kv.Key, string.Join("x", kv.Value.shape))));
        Assert.Equal(new long[] { 8, nf, 1, 1 }, net.state_dict()["brain.nm_att.conv1.weight"].shape);   // CA bottleneck 8
        Assert.Throws<ArgumentOutOfRangeException>(() => ArchRegistry.Create(name, nf + 8));
        Assert.Equal(nf, ArchRegistry.Get(name).KPNetOptions!.Nf);
    }

    // ---- All new entries ---------------------------------------------------------------------------------------

    public static TheoryData<string, int> NewEntries => new()
    {
        { "csrnet", 1 }, { "dncnn", 1 }, { "dncnn-kunet", 4 }, { "kpnet-nf16", 8 }, { "kpnet-nf24", 8 }, { "kpnet-nf32", 8 }, { "kpnet-half-nf32", 4 },
    };

    // Registered with a description that states the true count (as `hdrup model list` shows it) and the size multiple.
    [Theory]
    [MemberData(nameof(NewEntries))]
    public void Entries_are_registered_with_their_count_and_size_multiple(string name, int multiple)
    {
        Assert.True(ArchRegistry.Contains(name));
        using var net = ArchRegistry.Get(name).Factory(ArchRegistry.DefaultWidth);
        Assert.Equal(multiple, net.SizeMultiple);
        long parameters = net.parameters().Sum(p => p.numel());
        Assert.Contains(parameters.ToString("N0", CultureInfo.InvariantCulture) + " params", ArchRegistry.Get(name).Description);
    }

    // Forward + backward in training mode: every parameter gets a gradient and the first layer's is non-zero.
    [Theory]
    [InlineData("csrnet", "conv1.weight", "cond_net.conv1.weight")]
    [InlineData("dncnn", "conv_first.weight", null)]
    [InlineData("dncnn-kunet", "dncnn.conv_first.weight", "kunet.conv_first.weight")]
    [InlineData("kpnet-nf16", "conv_first.weight", null)]
    public void Gradients_reach_the_first_layer(string name, string first, string? alsoFirst)
    {
        using var net = ArchRegistry.Create(name);
        net.train();
        using var x = torch.rand(1, 3, 8, 8, generator: new torch.Generator(3));     // 8: every entry's multiple divides it
        using var target = torch.rand(1, 3, 8, 8, generator: new torch.Generator(4));
        using var y = net.call(x);
        using var loss = (y - target).abs().mean();
        loss.backward();
        var parameters = net.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var missing = parameters.Where(p => p.Value.grad is null).Select(p => p.Key.Split('.')[0]).Distinct().ToArray();
        Assert.Equal(net.NeverExecutedModules.Order().ToArray(), missing.Order().ToArray());   // only kpnet's dead modules
        foreach (var key in new[] { first, alsoFirst }.OfType<string>())
            Assert.True(parameters[key].grad!.abs().sum().item<float>() > 0, $"{key} got a zero gradient");
    }

    // safetensors save → load into a fresh instance reproduces the outputs bit for bit (BN statistics included).
    // One narrow KPNet stands for the three (same class, only nf differs).
    [Theory]
    [InlineData("csrnet", 1)]
    [InlineData("dncnn", 1)]
    [InlineData("dncnn-kunet", 4)]
    [InlineData("kpnet-nf16", 8)]
    public void Safetensors_round_trip_reproduces_outputs_exactly(string name, int multiple)
    {
        using var net = ArchRegistry.Create(name);
        TrainOneStepOfBatchNorm(net);
        net.eval();
        string path = Path.Combine(dir, name + ".safetensors");
        Checkpoint.SaveSafetensors(net, path);
        using var loaded = ArchRegistry.Create(name);
        Checkpoint.Load(loaded, path);
        loaded.eval();
        using var noGrad = torch.no_grad();
        using var x = torch.rand(1, 3, 8, 8 + multiple);                         // 8 × (8 + m): a non-square multiple of m
        using var a = net.call(x);
        using var b = loaded.call(x);
        Assert.True(Identical(a, b));
        // A different initialisation really gives different outputs, so the equality above is the loading.
        using var fresh = ArchRegistry.Create(name);
        fresh.eval();
        using var c = fresh.call(x);
        Assert.False(Identical(a, c));
    }

    /// <summary>One training-mode forward pass, which moves BatchNorm running statistics off their defaults.</summary>
    private static void TrainOneStepOfBatchNorm(HdrNetwork net)
    {
        net.train();
        using var noGrad = torch.no_grad();
        using var x = torch.rand(2, 3, 8, 8);
        using var y = net.call(x);
    }
}
