using HdrUp.Models.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.Tests;

/// <summary>Outputs against TestData/golden (independent PyTorch reference, checked against the official classes).</summary>
public class GoldenTests
{
    // manifest.json "suggested_tolerance_abs".
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData("kpnet", "kpnet.pth", "kpnet_output.npy")]
    [InlineData("kpnet-single-kib", "kpnet_single_kib.pth", "kpnet_single_kib_output.npy")]
    [InlineData("kunet", "kunet.pth", "kunet_output.npy")]
    public void Eval_output_matches_golden(string arch, string weights, string output)
    {
        using var net = ArchRegistry.Create(arch);
        Checkpoint.Load(net, Golden.File(weights));
        net.eval();
        using var noGrad = torch.no_grad();
        using var input = Golden.Input();
        using var y = net.call(input);
        Assert.InRange(Golden.MaxAbsDiff(y, Npy.Read(Golden.File(output))), 0, Tolerance);
    }

    // manifest "kpnet_train_mode": model.train(), one forward under no_grad; the shared CA runs three times,
    // so num_batches_tracked goes 100 → 103 and the running statistics are updated three times.
    [Fact]
    public void KPNet_train_mode_output_and_batchnorm_buffers_match_golden()
    {
        using var net = new KPNet();
        Checkpoint.Load(net, Golden.File("kpnet.pth"));
        Assert.Equal(100L, net.state_dict()["brain.nm_att.bn1.num_batches_tracked"].item<long>());
        net.train();
        using (torch.no_grad())
        {
            using var input = Golden.Input();
            using var y = net.call(input);
            Assert.InRange(Golden.MaxAbsDiff(y, Npy.Read(Golden.File("kpnet_output_train.npy"))), 0, Tolerance);
        }
        var sd = net.state_dict();
        var expected = Npy.ReadNpz(Golden.File("kpnet_bn_after_train.npz"));
        Assert.Equal(5, expected.Count);
        foreach (var (name, array) in expected)
        {
            var actual = sd[name];
            if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            {
                Assert.Equal(103L, actual.item<long>());
                Assert.Equal(103.0, array.Data.Single());
            }
            else
            {
                Assert.InRange(Golden.MaxAbsDiff(actual, array), 0, Tolerance);
            }
        }
    }
}
