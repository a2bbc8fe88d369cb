using HdrUp.Models.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.Tests;

public class ArchitectureTests
{
    // Parameter counts and state-dict sizes: kpnet-architecture.md header table, §5, §9, §10.
    [Theory]
    [InlineData("kpnet", 1_552_475, 1_367_835, 89)]
    [InlineData("kpnet-single-kib", 516_611, 516_611, 34)]
    [InlineData("kunet", 1_136_643, 1_136_643, 74)]
    public void Published_networks_have_the_official_parameter_counts(string name, long total, long executed, int entries)
    {
        using var net = ArchRegistry.Create(name);
        var summary = ModelSummary.Of(net);
        Assert.Equal(total, summary.TotalParameters);
        Assert.Equal(executed, summary.ExecutedParameters);
        Assert.Equal(entries, summary.StateDictEntries);
    }

    // Per-module counts of spec §5 (the paper's Params column, per top-level module).
    [Fact]
    public void KPNet_per_module_counts_match_spec_section_5()
    {
        using var net = new KPNet();
        var m = ModelSummary.Of(net).Modules.ToDictionary(x => x.Name, x => x.Parameters);
        var expected = new Dictionary<string, long>
        {
            ["conv_first"] = 1_792, ["down_conv1"] = 36_928, ["down_conv2"] = 36_928, ["down_conv3"] = 36_928,
            ["down_fea1"] = 36_928, ["recon_trunk"] = 410_240, ["dislocation_change1"] = 86_208,
            ["dislocation_change2"] = 86_208, ["dislocation_change3"] = 86_208, ["up_conv1"] = 147_712,
            ["up_conv2"] = 147_712, ["up_KIB2"] = 147_712, ["conv_last"] = 1_731, ["brain"] = 272_600,
            ["alpha"] = 8_320, ["belta"] = 8_320,
        };
        Assert.Equal(expected.Keys.ToArray(), m.Keys.ToArray());   // also the declaration (= key) order
        foreach (var (k, v) in expected) Assert.Equal(v, m[k]);
        Assert.Contains(ModelSummary.Of(net).ToTable().Rows, row => row.Cells[2].StartsWith("never executed", StringComparison.Ordinal));
    }

    public static TheoryData<string> Published => new() { "kpnet", "kpnet-single-kib", "kunet" };

    [Theory]
    [MemberData(nameof(Published))]
    public void State_dict_keys_and_shapes_equal_the_spec_tables_in_order(string name)
    {
        var spec = name switch { "kpnet" => SpecStateDicts.KPNet, "kpnet-single-kib" => SpecStateDicts.KPNetSingleKib, _ => SpecStateDicts.KUNet };
        using var net = ArchRegistry.Create(name);
        var actual = net.state_dict().Select(kv => (kv.Key, string.Join("x", kv.Value.shape))).ToArray();
        Assert.Equal(spec, actual);
        if (name == "kpnet") Assert.Equal(ScalarType.Int64, net.state_dict()["brain.nm_att.bn1.num_batches_tracked"].dtype);
    }

    // Spec §2: down_fea1 and up_conv1 exist but are never executed, so they get no gradient; everything else does.
    [Fact]
    public void Only_the_declared_unused_modules_receive_no_gradient()
    {
        using var net = new KPNet();
        net.train();
        using var x = torch.rand(1, 3, 16, 24);
        using var y = net.call(x);
        using var loss = y.abs().mean();
        loss.backward();
        var noGrad = net.named_parameters().Where(p => p.parameter.grad is null).Select(p => p.name.Split('.')[0]).Distinct().Order().ToArray();
        Assert.Equal(new[] { "down_fea1", "up_conv1" }, noGrad);
        Assert.Equal(new[] { "down_fea1", "up_conv1" }, net.NeverExecutedModules.Order().ToArray());
    }

    // Every registry entry builds, runs at its size multiple and keeps the frame size; ablation counts are derived
    // from the published per-module counts (spec §5): e.g. no-X = published − alpha (8,320) − unused (184,640).
    [Theory]
    [InlineData("kpnet", 1_552_475)]
    [InlineData("kpnet-lean", 1_367_835)]
    [InlineData("kpnet-no-x", 1_367_835 - 8_320)]
    [InlineData("kpnet-no-y", 1_367_835 - 8_320)]
    [InlineData("kpnet-sum-fusion", 1_367_835 - 272_600)]
    // B1: conv_first, down_conv3, recon_trunk, dc3, up_conv2, conv_last, alpha, belta.
    [InlineData("kpnet-b1", 1_792 + 36_928 + 410_240 + 86_208 + 147_712 + 1_731 + 16_640)]
    // B2: conv_first, down_conv1, recon_trunk, dc1, up_conv2, conv_last, alpha, belta.
    [InlineData("kpnet-b2", 1_792 + 36_928 + 410_240 + 86_208 + 147_712 + 1_731 + 16_640)]
    // B3: + down_conv2 and up_KIB2.
    [InlineData("kpnet-b3", 1_792 + 2 * 36_928 + 410_240 + 86_208 + 2 * 147_712 + 1_731 + 16_640)]
    // B12: B1 ∪ B2 modules + one-pair IFM (8,256 + 73,856 + 41,088 + 1,688 = 124,888).
    [InlineData("kpnet-b12", 1_792 + 2 * 36_928 + 410_240 + 2 * 86_208 + 147_712 + 1_731 + 16_640 + 124_888)]
    [InlineData("kpnet-b13", 1_792 + 3 * 36_928 + 410_240 + 2 * 86_208 + 2 * 147_712 + 1_731 + 16_640 + 124_888)]
    [InlineData("kpnet-b23", 1_792 + 2 * 36_928 + 410_240 + 2 * 86_208 + 2 * 147_712 + 1_731 + 16_640 + 124_888)]
    [InlineData("kpnet-single-kib", 516_611)]
    [InlineData("kunet", 1_136_643)]
    public void Registry_entries_build_count_and_run(string name, long parameters)
    {
        using var net = ArchRegistry.Create(name);
        Assert.Equal(parameters, ModelSummary.Of(net).TotalParameters);
        Assert.False(string.IsNullOrWhiteSpace(ArchRegistry.Get(name).Description));
        int m = net.SizeMultiple;
        using var noGrad = torch.no_grad();
        net.eval();
        using var x = torch.rand(1, 3, 2 * m, 3 * m);
        using var y = net.call(x);
        Assert.Equal(new long[] { 1, 3, 2 * m, 3 * m }, y.shape);
    }

    [Fact]
    public void Every_registered_name_is_tested_and_lookup_is_strict()
    {
        Assert.Equal(33, ArchRegistry.Entries.Count);   // 13 KPNet/KUNet entries above + 7 in BaselineTests + 7 in AblationVariantTests + 6 in Table1BaselineTests
        Assert.Throws<ArgumentException>(() => ArchRegistry.Create("kpnet-nope"));
        using var narrow = ArchRegistry.Create("kpnet", nf: 16);
        Assert.Equal(16, narrow.Width);
        Assert.Equal(8, narrow.SizeMultiple);
    }

    // Spec §7: KPNet needs multiples of 8, single-KIB multiples of 2, KUNet multiples of 4.
    [Theory]
    [InlineData("kpnet", 8)]
    [InlineData("kpnet-single-kib", 2)]
    [InlineData("kunet", 4)]
    public void Size_multiples_follow_spec_section_7(string name, int multiple)
    {
        using var net = ArchRegistry.Create(name);
        Assert.Equal(multiple, net.SizeMultiple);
    }
}
