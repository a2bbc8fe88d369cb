using HdrUp.Media;

namespace HdrUp.Cli.Conversion;

/// <summary>
/// Picks the shipped model for <c>--qp auto</c>. KPNet trains one model per HEVC QP and users do not
/// know their clip's QP; until the estimator from stream statistics exists (issue: convert), the
/// choice is the nearest shipped model to QP 37, the paper's middle setting, and says so.
/// </summary>
internal static class QpChoice
{
    public const int Fallback = 37;

    public static (int Qp, string Reason) Auto(MediaInfo info, IReadOnlyCollection<int> shipped)
    {
        int qp = shipped.MinBy(k => Math.Abs(k - Fallback));
        string reason = shipped.Count == 1
            ? "auto: the only shipped model"
            : $"auto: no QP estimate for {info.Codec} yet; nearest shipped model to QP {Fallback}";
        return (qp, reason);
    }
}
