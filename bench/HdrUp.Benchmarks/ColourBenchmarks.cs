using BenchmarkDotNet.Attributes;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Benchmarks;

/// <summary>SMPTE ST 2084 on every value of a 1080p frame (three planes), the span kernels convert's output path uses.</summary>
[FramePixels(Frames.Width, Frames.Height)]
public class ColourPqBenchmarks
{
    private readonly RgbPlanarFrame light = Frames.Uniform(1, 0, 1000), code = Frames.Uniform(2, 0, 0.75);
    private readonly float[] output = new float[3 * Frames.Width * Frames.Height];

    /// <summary>cd/m² → PQ code values (inverse EOTF).</summary>
    [Benchmark]
    public void Encode() => St2084.InverseEotf(light.Data, output);

    /// <summary>PQ code values → cd/m² (EOTF).</summary>
    [Benchmark]
    public void Decode() => St2084.Eotf(code.Data, output);
}

/// <summary>Linear BT.709 → linear BT.2020 (the BT.2087 matrix) on a 1080p frame's planes, in place.</summary>
[FramePixels(Frames.Width, Frames.Height)]
public class ColourPrimariesBenchmarks
{
    private readonly RgbPlanarFrame frame = Frames.Uniform(3);

    [Benchmark]
    public void Bt709ToBt2020()
    {
        // In place: the values drift a little each call (the matrix keeps white), which does not change its cost.
        ColourSpaces.Bt709ToBt2020.TransformPlanes(frame.Plane(0), frame.Plane(1), frame.Plane(2));
    }
}

/// <summary>Per pixel of a 1080p frame, one thread: PQ BT.2020 R′G′B′ → ICtCp (BT.2100), and ΔE_ITP (BT.2124) between two
/// frames' ICtCp: the colour maths under the ΔE_ITP metric.</summary>
[FramePixels(Frames.Width, Frames.Height)]
public class ColourIctcpBenchmarks
{
    private readonly RgbPlanarFrame a = Frames.Uniform(4), b = Frames.Uniform(5);

    [Benchmark]
    public double IctcpFromPq()
    {
        int n = a.PixelCount;
        float[] d = a.Data;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Ictcp.FromPqBt2020(d[i], d[n + i], d[2 * n + i]).I;
        return sum;
    }

    [Benchmark]
    public double DeltaEItp()
    {
        int n = a.PixelCount;
        float[] p = a.Data, q = b.Data;
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum += DeltaE.Itp(Ictcp.FromPqBt2020(p[i], p[n + i], p[2 * n + i]), Ictcp.FromPqBt2020(q[i], q[n + i], q[2 * n + i]));
        return sum;
    }
}
