using TorchSharp;
using static TorchSharp.torch;

namespace HdrUp.Models.Tests;

/// <summary>Paths and loaders for TestData/golden (copied from /work/shared/golden, see its README).</summary>
internal static class Golden
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "TestData", "golden");
    public static string File(string name) => Path.Combine(Dir, name);

    public static Tensor Input() => ToTensor(Npy.Read(File("input_1x3x64x96.npy")));

    public static Tensor ToTensor(NpyArray a) => torch.tensor(a.AsFloat(), a.Shape);

    /// <summary>Largest absolute difference between a tensor and a .npy array of the same shape.</summary>
    public static double MaxAbsDiff(Tensor actual, NpyArray expected)
    {
        Assert.Equal(expected.Shape, actual.shape);
        var got = actual.contiguous().data<float>().ToArray();
        double max = 0;
        for (int i = 0; i < got.Length; i++) max = Math.Max(max, Math.Abs(got[i] - expected.Data[i]));
        return max;
    }

    /// <summary>Same shape and bitwise-equal values.</summary>
    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>PSNR in dB for peak 1 (∞ for identical inputs).</summary>
    public static double Psnr(Tensor a, Tensor b)
    {
        double mse = (a - b).square().mean().item<float>();
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(1 / mse);
    }
}
