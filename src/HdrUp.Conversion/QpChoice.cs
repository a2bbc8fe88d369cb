using HdrUp.Conversion.QpEstimation;
using HdrUp.Media;

namespace HdrUp.Conversion;

/// <summary>
/// Picks the shipped model for <c>--qp auto</c>: KPNet trains one model per HEVC QP and users do not
/// know their clip's QP, so <see cref="QpEstimator"/> measures the clip (slice QPs from the bitstream
/// where the codec has them, else bits per pixel and detail; see docs/qp-estimation.md) and the
/// nearest shipped model is used.
/// </summary>
public static class QpChoice
{
    public static (int Qp, string Reason) Auto(string input, IReadOnlyCollection<int> shipped, CancellationToken cancellationToken)
    {
        QpEstimate estimate = QpEstimator.Estimate(input, shipped, cancellationToken);
        return (estimate.NearestQp, $"auto: {estimate.Reason}");
    }
}
