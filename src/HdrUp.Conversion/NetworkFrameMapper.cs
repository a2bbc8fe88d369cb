using HdrUp.Media;
using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Models;
using HdrUp.Models.Inference;

namespace HdrUp.Conversion;

/// <summary>
/// A trained network as a frame mapper: SDR code values / 255 in, PQ BT.2020 code values out, clamped
/// to [0,1] as the official test script does before writing its 16-bit PNGs.
/// </summary>
public sealed class NetworkFrameMapper(string name, HdrNetwork network, InferenceOptions options) : IFrameMapper, IDisposable
{
    private readonly FrameInference _inference = new(network, options);

    public string Name { get; } = name;

    /// <summary>Parameter count of the network (the paper's Params column).</summary>
    public long Parameters => network.parameters().Sum(p => p.numel());

    /// <summary>
    /// Loads a weights file (with its model card) for scoring: the faster backend that runs it
    /// (<see cref="InferenceOptions.Fastest"/>), whole frames, <paramref name="threads"/> threads.
    /// </summary>
    public static (NetworkFrameMapper Mapper, ModelCard? Card) Open(string name, string weights, int threads)
    {
        var (network, card) = HdrUp.Models.Checkpoints.ModelStore.Load(weights);
        return (new NetworkFrameMapper(name, network, new InferenceOptions { Threads = threads, Backend = InferenceOptions.Fastest(network) }), card);
    }

    public RgbPlanarFrame Map(RgbPlanarFrame input, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var output = new RgbPlanarFrame(input.Width, input.Height);
        _inference.Run(input.Data, output.Data, input.Width, input.Height);
        UnitInterval.Clamp(output.Data);
        return output;
    }

    public void Dispose()
    {
        _inference.Dispose();
        network.Dispose();
    }
}
