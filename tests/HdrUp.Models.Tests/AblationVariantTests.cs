using HdrUp.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.Tests;

/// <summary>The paper's ablation variants (Tab. 2 rows 6, 7, 10, 11; Tab. 4) and the per-branch feature tap.</summary>
public class AblationVariantTests
{
    // Counts derived from the layer sizes of kpnet-architecture.md §5 at nf = 64. Base: kpnet-lean (no unused modules)
    // = 1,552,475 − 184,640 = 1,367,835, 85 entries (89 − 4 keys of down_fea1/up_conv1). Without the IFM (sum fusion,
    // kpnet-sum-fusion = row 1): − brain 272,600 = 1,095,235, 85 − 29 brain keys (conv_1x1Share 2, three RB 4 each,
    // refine 4, nm_att 11 = three convs 6 + BatchNorm 5) = 56. X or Y = two 1×1 64→64 = 8,320 and 4 keys each.
    //   r-only-no-ifm  1,095,235 − 2·8,320 = 1,078,595, 56 − 8 = 48
    //   no-y/no-x-no-ifm 1,095,235 − 8,320 = 1,086,915, 52
    //   r-only (IFM)   1,367,835 − 16,640 = 1,351,195, 85 − 8 = 77
    //   ifm-d          1,095,235 + refine (3×3 36,928 + 1×1 4,160) = 1,136,323, 56 + 4 = 60
    //   ifm-n          1,095,235 + 3·1×1 4,160 + 3·RB 73,856 + refine 41,088 + CA 1,688 = 1,372,059,
    //                  56 + 6 + 12 + 4 + 11 = 89
    //   norm           1,367,835 + 8 BatchNorm2d(64) × (γ 64 + β 64) = 1,368,859, 85 + 8 × 5 (γ, β, mean, var, count) = 125
    [Theory]
    [InlineData("kpnet-sum-fusion", 1_095_235, 56)]
    [InlineData("kpnet-r-only-no-ifm", 1_078_595, 48)]
    [InlineData("kpnet-no-y-no-ifm", 1_086_915, 52)]
    [InlineData("kpnet-no-x-no-ifm", 1_086_915, 52)]
    [InlineData("kpnet-r-only", 1_351_195, 77)]
    [InlineData("kpnet-ifm-d", 1_136_323, 60)]
    [InlineData("kpnet-ifm-n", 1_372_059, 89)]
    [InlineData("kpnet-norm", 1_368_859, 125)]
    public void Variants_have_the_parameter_counts_derived_from_their_layers(string name, long parameters, int entries)
    {
        using var net = ArchRegistry.Create(name);
        var summary = ModelSummary.Of(net);
        Assert.Equal(parameters, summary.TotalParameters);
        Assert.Equal(parameters, summary.ExecutedParameters);   // ablations carry no never-executed modules
        Assert.Equal(entries, summary.StateDictEntries);
    }

    public static TheoryData<string> NewVariants => new()
    {
        "kpnet-r-only-no-ifm", "kpnet-no-y-no-ifm", "kpnet-no-x-no-ifm", "kpnet-r-only", "kpnet-ifm-d", "kpnet-ifm-n", "kpnet-norm",
    };

    // Every variant maps N×3×H×W to N×3×H×W with finite values (nf 8, a 16×16 input: the smallest multiple of 8 that
    // leaves the H/4 branch's R an even size), in train mode (BatchNorm on batch statistics) and eval mode.
    [Theory]
    [MemberData(nameof(NewVariants))]
    public void Variants_map_to_the_input_shape(string name)
    {
        torch.random.manual_seed(1);
        using var net = ArchRegistry.Create(name, 8);
        using var x = torch.rand(2, 3, 16, 16);
        foreach (bool train in new[] { true, false })
        {
            net.train(train);
            using var y = net.call(x);
            Assert.Equal(new long[] { 2, 3, 16, 16 }, y.shape);
            Assert.True(y.isfinite().all().item<bool>());
        }
    }

    [Fact]
    public void Norm_variant_adds_batchnorm_keys_under_recon_trunk_only()
    {
        using var norm = ArchRegistry.Create("kpnet-norm");
        using var lean = ArchRegistry.Create("kpnet-lean");
        var added = norm.state_dict().Keys.Except(lean.state_dict().Keys).ToArray();
        Assert.Equal(40, added.Length);
        Assert.All(added, k => Assert.StartsWith("recon_trunk.", k));
        Assert.Contains("recon_trunk.split_hl.bn_h.running_var", added);
        Assert.Contains("recon_trunk.norm_refine.1.weight", added);
        Assert.Empty(lean.state_dict().Keys.Except(norm.state_dict().Keys));
    }

    // IFM_D with the refinement made an identity (refine.0 = 1×1-centred identity 3×3, refine.1 = identity 1×1, zero
    // biases) and non-negative inputs is exactly ReLU(0.4·KM + 0.3·U + 0.3·D) (paper Eq. 15, α₂ = 0.4 on H/2).
    [Fact]
    public void Ifm_d_weighs_half_resolution_by_0_4_and_the_others_by_0_3()
    {
        using var fusion = new WeightedFusion(4);
        using (torch.no_grad())
        {
            foreach (var (name, p) in fusion.named_parameters())
            {
                p.zero_();
                if (name.EndsWith("weight"))
                    for (int c = 0; c < 4; c++) p[c, c, p.shape[2] / 2, p.shape[3] / 2] = torch.tensor(1f);
            }
        }
        using var km = torch.full(1, 4, 2, 2, 1f);
        using var u = torch.full(1, 4, 2, 2, 2f);
        using var d = torch.full(1, 4, 2, 2, 3f);
        using var g = fusion.call(new[] { km, u, d });
        // 0.4·1 + 0.3·2 + 0.3·3 = 1.9
        Assert.Equal(1.9f, g.mean().item<float>(), 5);
        Assert.Equal(new[] { 0.4, 0.3, 0.3 }, WeightedFusion.Alphas);
    }

    // ForwardWithFeatures must not change forward's result (bit for bit) and returns per-branch features in paper
    // order: H, H/2, H/4 at their own resolutions. Eval mode, so the CA's BatchNorm gives the same result twice.
    [Theory]
    [InlineData("kpnet")]
    [InlineData("kpnet-b2")]
    [InlineData("kpnet-b13")]
    public void Forward_with_features_returns_the_same_output_and_the_branch_features(string name)
    {
        torch.random.manual_seed(3);
        using var net = (KPNet)ArchRegistry.Create(name, 8);
        net.eval();
        using var x = torch.rand(1, 3, 32, 24);
        using var y = net.call(x);
        using var f = net.ForwardWithFeatures(x);
        Assert.True((y == f.Output).all().item<bool>());
        var b = net.Options.Branches;
        long[][] sizes = [[32, 24], [16, 12], [8, 6]];
        KPNetBranches[] flags = [KPNetBranches.Full, KPNetBranches.Half, KPNetBranches.Quarter];
        for (int i = 0; i < 3; i++)
        {
            if (!b.HasFlag(flags[i])) { Assert.Null(f.Sdr[i]); Assert.Null(f.Kib[i]); continue; }
            Assert.Equal(new long[] { 1, 8, sizes[i][0], sizes[i][1] }, f.Kib[i]!.shape);
            Assert.Equal(new long[] { 1, 8, sizes[i][0], sizes[i][1] }, f.Sdr[i]!.shape);
        }
    }

    // Heads of the L_KIB loss and the Tab. 3 probe: Conv(3,1,64→3) = 1,731; UP = Conv(3,1,64→256) = 147,712.
    // head 1 = 1,731, head 2 = 149,443, head 3 = 297,155, total 448,329; every head returns full resolution.
    [Fact]
    public void Branch_heads_have_their_layer_counts_and_full_resolution_outputs()
    {
        using var heads = new BranchHeads(64);
        Assert.Equal(448_329, heads.parameters().Sum(p => p.numel()));
        Assert.Equal(1_731, heads.named_parameters().Where(p => p.name.StartsWith("head1.")).Sum(p => p.parameter.numel()));
        Assert.Equal(297_155, heads.named_parameters().Where(p => p.name.StartsWith("head3.")).Sum(p => p.parameter.numel()));
        using var small = new BranchHeads(8);
        using var f1 = torch.rand(1, 8, 16, 16);
        using var f2 = torch.rand(1, 8, 8, 8);
        using var f3 = torch.rand(1, 8, 4, 4);
        var outs = small.call(new Tensor?[] { f1, f2, f3 });
        Assert.All(outs, o => Assert.Equal(new long[] { 1, 3, 16, 16 }, o!.shape));
        foreach (var o in outs) o!.Dispose();
    }

    // The published network's state dict is untouched by the ablation machinery (spec §4: 89 entries, no head).
    [Fact]
    public void Published_state_dict_is_unchanged()
    {
        using var net = ArchRegistry.Create("kpnet");
        var keys = net.state_dict().Keys.ToArray();
        Assert.Equal(89, keys.Length);
        Assert.Equal(SpecStateDicts.KPNet.Select(k => k.Key), keys);
    }
}
