using System.Globalization;
using HdrUp.Conversion;

namespace HdrUp.Bench;

/// <summary>The methods of the quality and clip tables.</summary>
public static class QualityMethods
{
    /// <summary>The methods every quality table scores: the two non-learned mappings, the shipped KPNet per QP (with
    /// <paramref name="paperStyle"/>, also its paper-style model, <c>convert --grade bt2446c</c>, where shipped), and each --weights
    /// NAME=FILE[@PRECISION]. int8 graphs are calibrated on <paramref name="dataset"/>'s training crops at the QP scored, or on
    /// the sample clip's frames without a dataset (<see cref="CalibrationFrames.For"/>).</summary>
    public static List<QualityMethod> Standard(int threadCount, string[]? weights, bool colourKeep, DatasetFolders? dataset = null, bool paperStyle = false)
    {
        var methods = new List<QualityMethod>
        {
            new("BT.2446 Method A inverse", () => null, _ => new HdrUp.Color.Bt2446AInverseMapper()),
            new("BT.2408 placement (203 cd/m²)", () => null, _ => new HdrUp.Color.Bt2408SdrMapper()),
        };
        var shipped = ShippedModels.ByQp();
        var learned = new List<QualityMethod> { QualityBench.LearnedMethod("kpnet (shipped)", qp => shipped.TryGetValue(qp, out string? file) ? file : null, threadCount) };
        // convert --grade bt2446c: the paper-style model beside each shipped one, for SDR made the paper's way (the quality table
        // has SDR made that way; camera clips do not).
        if (paperStyle && shipped.Keys.Any(qp => ShippedModels.PaperStyle(Quality.Full, qp) is not null))
            learned.Add(QualityBench.LearnedMethod("kpnet (shipped, --grade bt2446c)", qp => ShippedModels.PaperStyle(Quality.Full, qp), threadCount));
        foreach (string spec in weights ?? [])
        {
            var (name, named) = BenchArguments.NamedFile(spec);
            var (file, precision) = BenchArguments.WithPrecision(named);
            learned.Add(QualityBench.LearnedMethod(name, qp => file.Replace("{qp}", qp.ToString(CultureInfo.InvariantCulture)), threadCount,
                precision, qp => CalibrationFrames.For(dataset, qp)));
        }
        foreach (var method in learned)
        {
            methods.Add(method);
            // convert --colour keep: the same loaded model (asked for right after, so not loaded again), its colours locked to the input.
            if (colourKeep)
                methods.Add(new QualityMethod(method.Name + " + colour keep", method.Parameters,
                    qp => method.MapperForQp(qp) is { } m ? new HdrUp.Color.HueLockedMapper(m) : null, method.Architecture));
        }
        return methods;
    }

}
