using HdrUp.Media;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Conversion;

/// <summary>
/// Sees every frame of a conversion as it is cached: for reports and previews that need the input and the result
/// side by side (<see cref="ConvertRequest.Observer"/>). Called from one thread, in frame order (0, 1, 2, …), after the
/// frame is stored, also for frames resumed from a previous run's cache: their SDR input is decoded again (decoding is
/// cheap next to mapping), so an observer sees the same pairs whether or not a run was interrupted.
/// </summary>
public interface IFrameObserver
{
    /// <param name="index">Frame number from 0.</param>
    /// <param name="sdr">The input: SDR BT.709 code values in [0, 1], planar RGB.</param>
    /// <param name="pq">The result exactly as encoded: PQ BT.2020 code values in [0, 1], rounded to the 16-bit codes
    /// of the cache. Neither frame is reused by the pipeline, so an observer may keep them.</param>
    void Observe(int index, RgbPlanarFrame sdr, RgbPlanarFrame pq);
}
