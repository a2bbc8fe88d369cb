using HdrUp.Models.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.Tests;

public sealed class CheckpointTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hdrup-models-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Golden_pth_reads_as_89_entries()
    {
        var sd = Checkpoint.ReadStateDict(Golden.File("kpnet.pth"));
        Assert.Equal(89, sd.Count);
        Assert.Equal(new long[] { 64, 192, 1, 1 }, sd["dislocation_change1.fuse.weight"].shape);
        foreach (var t in sd.Values) t.Dispose();
    }

    private Dictionary<string, Tensor> GoldenWithEdit(Action<Dictionary<string, Tensor>> edit)
    {
        var sd = Checkpoint.ReadStateDict(Golden.File("kpnet.pth"));
        edit(sd);
        return sd;
    }

    private string SaveRaw(string name, Dictionary<string, Tensor> sd)
    {
        string path = Path.Combine(dir, name);
        Safetensors.Write(path, sd);
        return path;
    }

    [Fact]
    public void Missing_key_is_named_with_file_and_expected_shape()
    {
        var path = SaveRaw("missing.safetensors", GoldenWithEdit(sd => sd.Remove("brain.nm_att.conv_w.bias")));
        using var net = new KPNet();
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(net, path));
        Assert.Contains(path, e.Message);
        Assert.Contains("missing key 'brain.nm_att.conv_w.bias'", e.Message);
        Assert.Contains("[64]", e.Message);
    }

    [Fact]
    public void Unexpected_key_is_named()
    {
        var path = SaveRaw("extra.safetensors", GoldenWithEdit(sd => sd["brain.extra.weight"] = torch.zeros(3)));
        using var net = new KPNet();
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(net, path));
        Assert.Contains(path, e.Message);
        Assert.Contains("unexpected key 'brain.extra.weight'", e.Message);
    }

    [Fact]
    public void Wrong_shape_is_named_with_expected_and_actual_shape()
    {
        var path = SaveRaw("shape.safetensors", GoldenWithEdit(sd => sd["conv_last.weight"] = torch.zeros(4, 64, 3, 3)));
        using var net = new KPNet();
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(net, path));
        Assert.Contains(path, e.Message);
        Assert.Contains("'conv_last.weight'", e.Message);
        Assert.Contains("[4×64×3×3]", e.Message);
        Assert.Contains("expected [3×64×3×3]", e.Message);
    }

    [Fact]
    public void Pth_of_another_architecture_fails_strictly()
    {
        using var net = new KUNet();
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(net, Golden.File("kpnet.pth")));
        Assert.Contains("kpnet.pth", e.Message);
        Assert.Contains("missing key 'conv_2.weight'", e.Message);
    }

    [Fact]
    public void Missing_file_throws_FileNotFound_naming_it()
    {
        using var net = new KPNet();
        var path = Path.Combine(dir, "nope.pth");
        var e = Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(net, path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Garbage_file_throws_InvalidData()
    {
        var path = Path.Combine(dir, "garbage.pth");
        File.WriteAllText(path, "not a checkpoint");
        using var net = new KPNet();
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(net, path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void DataParallel_module_prefix_is_stripped()
    {
        var sd = Checkpoint.ReadStateDict(Golden.File("kpnet_single_kib.pth"));
        var prefixed = sd.ToDictionary(kv => "module." + kv.Key, kv => kv.Value);
        var path = SaveRaw("prefixed.safetensors", prefixed);
        using var a = new KPNetSingleKib();
        Checkpoint.Load(a, path);
        using var b = new KPNetSingleKib();
        Checkpoint.Load(b, Golden.File("kpnet_single_kib.pth"));
        var bsd = b.state_dict();
        foreach (var (k, v) in a.state_dict()) Assert.True(Golden.Same(v, bsd[k]), k);
    }

    [Theory]
    [InlineData("kpnet", "kpnet.pth")]
    [InlineData("kunet", "kunet.pth")]
    public void Safetensors_round_trip_reproduces_the_output_exactly(string arch, string weights)
    {
        using var net = ArchRegistry.Create(arch);
        Checkpoint.Load(net, Golden.File(weights));
        var path = Path.Combine(dir, arch + ".safetensors");
        Checkpoint.SaveSafetensors(net, path);
        using var copy = ArchRegistry.Create(arch);
        Checkpoint.Load(copy, path);
        net.eval(); copy.eval();
        using var noGrad = torch.no_grad();
        using var input = Golden.Input();
        using var y1 = net.call(input);
        using var y2 = copy.call(input);
        Assert.True(Golden.Same(y1, y2));
        // Header lists the tensors in state-dict order (same as the PyTorch checkpoint).
        var (tensors, meta) = Safetensors.Read(path);
        Assert.Equal(net.state_dict().Keys, tensors.Keys);
        Assert.Equal("pt", meta["format"]);
        if (arch == "kpnet") Assert.Equal(ScalarType.Int64, tensors["brain.nm_att.bn1.num_batches_tracked"].dtype);
        foreach (var t in tensors.Values) t.Dispose();
    }

    // fp16 storage: every weight is rounded to 11 significant bits (relative error ≤ 2⁻¹¹ ≈ 4.9e-4);
    // the file is about half the size and loads back as fp32.
    [Fact]
    public void Fp16_storage_loads_back_as_fp32_within_half_precision()
    {
        using var net = new KPNet();
        Checkpoint.Load(net, Golden.File("kpnet.pth"));
        var p32 = Path.Combine(dir, "k32.safetensors");
        var p16 = Path.Combine(dir, "k16.safetensors");
        Checkpoint.SaveSafetensors(net, p32);
        Checkpoint.SaveSafetensors(net, p16, halfPrecision: true);
        Assert.InRange(new FileInfo(p16).Length, new FileInfo(p32).Length * 0.45, new FileInfo(p32).Length * 0.55);
        using var copy = new KPNet();
        Checkpoint.Load(copy, p16);
        var a = net.state_dict();
        foreach (var (k, v) in copy.state_dict())
        {
            Assert.Equal(a[k].dtype, v.dtype);
            if (!v.is_floating_point()) { Assert.True(Golden.Same(v, a[k]), k); continue; }
            // fp16 keeps 11 significant bits (relative step 2⁻¹¹) down to 6.1e-5; below, subnormals have spacing 2⁻²⁴.
            double excess = ((v - a[k]).abs() - a[k].abs() * Math.Pow(2, -11) - Math.Pow(2, -24)).max().item<float>();
            Assert.True(excess <= 0, $"{k}: fp16 error exceeds half-precision rounding by {excess}");
        }
        Assert.Equal(100L, copy.state_dict()["brain.nm_att.bn1.num_batches_tracked"].item<long>());
    }

    [Fact]
    public void Model_card_round_trips_through_json()
    {
        var card = new ModelCard
        {
            Architecture = "kpnet-b12", Options = ArchRegistry.Get("kpnet-b12").KPNetOptions, Qp = 37,
            TrainingData = "HDRTV1K train, QP37, 160 px crops", Iterations = 550_000, WallTimeSeconds = 3600.5,
            ValidationPsnr = 36.12, ValidationDeltaEItp = 9.8, WeightsFile = "kpnet-b12.safetensors",
            CreatedUtc = new DateTimeOffset(2025, 11, 25, 12, 0, 0, TimeSpan.Zero), Notes = "test",
        };
        var path = ModelCard.PathFor(Path.Combine(dir, "kpnet-b12.safetensors"));
        Assert.EndsWith("kpnet-b12.card.json", path);
        card.Save(path);
        var back = ModelCard.Load(path);
        Assert.Equal(card with { Options = null }, back with { Options = null });
        Assert.Equal(card.Options, back.Options);
        Assert.Contains("\"branches\": \"Full, Half\"", File.ReadAllText(path));
        File.WriteAllText(path, "{ nope");
        Assert.Throws<InvalidDataException>(() => ModelCard.Load(path));
    }
}

public sealed class ModelStoreTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hdrup-store-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    // Save writes weights + card; Load finds the architecture from the card, or from the safetensors metadata alone.
    [Fact]
    public void Save_and_load_with_card_and_with_metadata_only()
    {
        using var net = ArchRegistry.Create("kpnet-single-kib");
        Checkpoint.Load(net, Golden.File("kpnet_single_kib.pth"));
        var path = Path.Combine(dir, "single.safetensors");
        ModelStore.Save(net, "kpnet-single-kib", path, new ModelCard { Architecture = "kpnet-single-kib", Qp = 37 });
        // Written through AtomicFile: the two outputs and no temporary beside them.
        Assert.Equal(["single.card.json", "single.safetensors"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var (loaded, card) = ModelStore.Load(path);
        Assert.Equal("single.safetensors", card!.WeightsFile);
        Assert.IsType<KPNetSingleKib>(loaded);
        File.Delete(ModelCard.PathFor(path));
        var (again, noCard) = ModelStore.Load(path);
        Assert.Null(noCard);
        Assert.IsType<KPNetSingleKib>(again);
        using var noGrad = torch.no_grad();
        using var x = Golden.Input();
        net.eval();
        using var y1 = net.call(x);
        using var y2 = again.call(x);
        Assert.True(Golden.Same(y1, y2));
        loaded.Dispose(); again.Dispose();
        // A .pth has no metadata: the architecture must be given.
        Assert.Throws<InvalidDataException>(() => ModelStore.Load(Golden.File("kunet.pth")));
        var (kunet, _) = ModelStore.Load(Golden.File("kunet.pth"), "kunet");
        Assert.IsType<KUNet>(kunet);
        kunet.Dispose();
    }
}

public class WeightBlendTests
{
    // Each weight becomes (1 − t)·A + t·B exactly (fp32 arithmetic on the same values), t = 0 gives A and t = 1 gives B.
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    [InlineData(1.0)]
    public void Blend_interpolates_every_weight(double t)
    {
        torch.manual_seed(1);
        using var a = ArchRegistry.Create("kpnet-nf16");
        using var b = ArchRegistry.Create("kpnet-nf16");
        var before = a.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        var other = b.state_dict();
        Assert.NotEqual(before.First().Value.data<float>()[0], other[before.First().Key].data<float>()[0]);

        WeightBlend.Into(a, b, t);

        foreach (var (key, value) in a.state_dict())
        {
            if (!value.is_floating_point()) continue;
            float[] got = value.data<float>().ToArray(), wa = before[key].data<float>().ToArray(), wb = other[key].data<float>().ToArray();
            for (int i = 0; i < got.Length; i += Math.Max(1, got.Length / 17))
                Assert.Equal((1 - t) * wa[i] + t * wb[i], got[i], 1e-6);
        }
    }

    [Fact]
    public void Blend_refuses_different_architectures()
    {
        using var a = ArchRegistry.Create("kpnet-nf16");
        using var b = ArchRegistry.Create("csrnet");
        var e = Assert.Throws<ArgumentException>(() => WeightBlend.Into(a, b, 0.5));
        Assert.Contains("not the same architecture", e.Message);
        Assert.Throws<ArgumentException>(() => WeightBlend.Into(a, a, 1.5));
    }
}

public class ModelFilesTests
{
    // A .safetensors file without a card still names its architecture and width in its metadata (ModelStore.Save):
    // export finds it there, writes the card, and the copy loads to the same weights.
    [Fact]
    public void Export_of_weights_without_a_card_takes_the_architecture_from_the_metadata()
    {
        string dir = Directory.CreateTempSubdirectory("hdrup-modelfiles-").FullName;
        try { ExportWithoutCard(dir); }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static void ExportWithoutCard(string dir)
    {
        string bare = Path.Combine(dir, "bare.safetensors"), copy = Path.Combine(dir, "copy.safetensors");
        using (var net = ArchRegistry.Create("kpnet", 8))
            ModelStore.Save(net, "kpnet", bare);
        Assert.False(File.Exists(ModelCard.PathFor(bare)));
        var (loaded, noCard, resolved) = ModelStore.LoadResolved(bare);
        using (loaded) Assert.Equal(("kpnet", (ModelCard?)null), (resolved, noCard));

        ModelFiles.Export(bare, null, copy, qp: 42, notes: "exported", fp16: false);

        var card = ModelCard.Load(ModelCard.PathFor(copy));
        Assert.Equal(("kpnet", 8, 42, "exported"), (card.Architecture, card.Width, card.Qp, card.Notes));
        var (a, _) = ModelStore.Load(bare);
        var (b, _) = ModelStore.Load(copy);
        using (a) using (b)
            Assert.All(a.state_dict().Zip(b.state_dict()), p => Assert.True(p.First.Value.eq(p.Second.Value).all().item<bool>(), p.First.Key));
        Assert.Throws<IOException>(() => HdrUp.Core.AtomicFile.RefuseOverwrite(copy, force: false));
    }
}
