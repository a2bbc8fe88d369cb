using HdrUp.Media;
using HdrUp.Color;
using HdrUp.Core;
using HdrUp.Models;
using HdrUp.Models.Inference;
using HdrUp.Models.Onnx;
using HdrUp.Models.Precision;

namespace HdrUp.Conversion;

/// <summary>
/// A trained network as a frame mapper: SDR code values / 255 in, PQ BT.2020 code values out, clamped
/// to [0,1] as the official test script does before writing its 16-bit PNGs.
/// </summary>
public sealed class NetworkFrameMapper(string name, HdrNetwork network, InferenceOptions options) : IFrameMapper, IDisposable
{
    private readonly FrameInference _inference = new(network, options);

    public string Name { get; } = name;

    /// <summary>What runs the network.</summary>
    public InferenceBackend Backend => options.Backend;

    /// <summary>Parameter count of the network (the paper's Params column).</summary>
    public long Parameters => network.parameters().Sum(p => p.numel());

    /// <summary>
    /// Loads a weights file (with its model card) for scoring: whole frames, <paramref name="threads"/> threads, in
    /// <paramref name="precision"/> on the backend that runs it (fp32: the faster one, <see cref="InferenceOptions.Fastest"/>;
    /// bf16: libtorch; int8: ONNX Runtime, calibrated on <paramref name="calibration"/>).
    /// </summary>
    /// <exception cref="ArgumentException">int8 for a network without ONNX export, or without calibration frames.</exception>
    public static (NetworkFrameMapper Mapper, ModelCard? Card) Open(string name, string weights, int threads,
        NumericPrecision precision = NumericPrecision.Fp32, CalibrationSet? calibration = null)
    {
        var (network, card) = HdrUp.Models.Checkpoints.ModelStore.Load(weights);
        try
        {
            var options = new InferenceOptions
            {
                Threads = threads, Backend = InferenceOptions.For(network, precision), Precision = precision, Calibration = calibration,
            };
            return (new NetworkFrameMapper(name, network, options), card);
        }
        catch (NotSupportedException e)
        {
            network.Dispose();
            throw new ArgumentException($"{Path.GetFileName(weights)}: {e.Message}");
        }
        catch
        {
            network.Dispose();
            throw;
        }
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
