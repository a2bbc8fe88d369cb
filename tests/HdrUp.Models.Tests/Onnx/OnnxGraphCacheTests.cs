using System.Text;
using HdrUp.Models.Checkpoints;
using HdrUp.Models.Inference;
using HdrUp.Models.Onnx;
using TorchSharp;

namespace HdrUp.Models.Tests.Onnx;

/// <summary>Graphs exported once per network and weights, kept in a folder, checked on every read.</summary>
public sealed class OnnxGraphCacheTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hdrup-onnx-cache-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static HdrNetwork Network(int seed) => SeededNetwork.Create(seed);

    [Fact]
    public void The_first_load_files_the_graph_and_the_next_reads_it_back()
    {
        var cache = new OnnxGraphCache(Path.Combine(dir, "onnx"));
        using var net = Network(1);
        using (new FrameInference(net, new InferenceOptions { Backend = InferenceBackend.Onnx, OnnxCache = cache })) { }
        string file = cache.PathFor(OnnxGraphCache.Key(net));
        Assert.Equal([file], Directory.GetFiles(cache.Directory));   // under its key, no temporary file left
        using var again = Network(1);
        var (model, cached) = cache.Get(again);
        Assert.True(cached);
        Assert.Equal(OnnxExport.Export(net), model);
    }

    [Fact]
    public void The_key_follows_the_weights_and_the_exporter_version()
    {
        using var net = Network(1);
        string weights = Path.Combine(dir, "net.safetensors");
        ModelStore.Save(net, "kpnet-nf16", weights, halfPrecision: true);
        using var loaded = ModelStore.Load(weights).Network;
        using var loadedAgain = ModelStore.Load(weights).Network;
        string key = OnnxGraphCache.Key(loaded);
        Assert.Matches("^[0-9a-f]{64}$", key);
        Assert.Equal(key, OnnxGraphCache.Key(loadedAgain));
        Assert.NotEqual(key, OnnxGraphCache.Key(net));   // the file holds the weights rounded to fp16
        Assert.Equal(key, OnnxGraphCache.Key(loaded, OnnxExport.Version));
        Assert.NotEqual(key, OnnxGraphCache.Key(loaded, OnnxExport.Version + 1));
        using (torch.no_grad()) loadedAgain.state_dict()["conv_last.bias"].add_(1e-6);
        Assert.NotEqual(key, OnnxGraphCache.Key(loadedAgain));
    }

    // Whatever is found under the key, unless it is intact and the key's, is exported again and replaced.
    [Theory]
    [InlineData("empty")]
    [InlineData("cut in half")]
    [InlineData("one bit flipped in the weights")]
    [InlineData("not ONNX")]
    [InlineData("another network's graph")]
    public void A_damaged_or_foreign_file_is_exported_again_and_replaced(string damage)
    {
        var cache = new OnnxGraphCache(dir);
        using var net = Network(1);
        string file = cache.PathFor(OnnxGraphCache.Key(net));
        cache.Get(net);
        byte[] good = File.ReadAllBytes(file);
        byte[] bad = damage switch
        {
            "empty" => [],
            "cut in half" => good[..(good.Length / 2)],
            "one bit flipped in the weights" => Flipped(good, good.Length / 2),
            "not ONNX" => Encoding.UTF8.GetBytes("not a model"),
            _ => AnotherNetworksFile(cache),
        };
        File.WriteAllBytes(file, bad);
        var (model, cached) = cache.Get(net);
        Assert.False(cached);
        Assert.Equal(OnnxExport.Export(net), model);
        Assert.Equal(good, File.ReadAllBytes(file));
        Assert.True(cache.Get(net).Cached);
    }

    // Intact and filed under its key, but not a model ONNX Runtime loads (as a graph written for an older runtime might be).
    [Fact]
    public void A_file_onnx_runtime_refuses_is_exported_again_and_replaced()
    {
        var cache = new OnnxGraphCache(dir);
        using var net = Network(1);
        string key = OnnxGraphCache.Key(net);
        byte[] refused = Encoding.UTF8.GetBytes("not a model");
        File.WriteAllBytes(cache.PathFor(key), [.. refused, .. OnnxGraphCache.Digest(key, refused)]);
        Assert.Equal(refused, cache.Get(net).Model);   // the digest holds, so only the runtime can tell
        using var runner = OnnxRunner.For(net, threads: 1, cache);
        Assert.Equal(8, runner.SizeMultiple);
        Assert.Equal(OnnxExport.Export(net), cache.Get(net).Model);
    }

    [Fact]
    public void A_folder_that_cannot_be_written_costs_the_export_not_the_run()
    {
        string blocker = Path.Combine(dir, "a file");
        File.WriteAllText(blocker, "");
        var cache = new OnnxGraphCache(Path.Combine(blocker, "onnx"));   // no folder can be made under a file
        using var net = Network(1);
        var (model, cached) = cache.Get(net);
        Assert.False(cached);
        Assert.Equal(OnnxExport.Export(net), model);
        using var runner = OnnxRunner.For(net, threads: 1, cache);
        Assert.Equal(8, runner.SizeMultiple);
    }

    [Theory]
    [InlineData("/scratch/hdrup", "/xdg", "/home/u", "/scratch/hdrup/onnx")]
    [InlineData(null, "/xdg", "/home/u", "/xdg/hdrup/onnx")]
    [InlineData("", "relative/xdg", "/home/u", "/home/u/.cache/hdrup/onnx")]   // empty: unset; relative XDG: invalid
    [InlineData(null, null, "/home/u", "/home/u/.cache/hdrup/onnx")]
    [InlineData(null, null, "", null)]
    public void The_default_folder_is_HDRUP_CACHE_then_XDG_CACHE_HOME_then_home(string? hdrupCache, string? xdg, string home, string? expected)
    {
        string? Environment(string name) => name switch
        {
            OnnxGraphCache.EnvironmentVariable => hdrupCache,
            "XDG_CACHE_HOME" => xdg,
            _ => null,
        };
        Assert.Equal(expected, OnnxGraphCache.DefaultDirectory(Environment, home));
    }

    private static byte[] Flipped(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= 1;
        return copy;
    }

    private static byte[] AnotherNetworksFile(OnnxGraphCache cache)
    {
        using var other = Network(2);
        cache.Get(other);
        return File.ReadAllBytes(cache.PathFor(OnnxGraphCache.Key(other)));
    }
}
