using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Metrics;

internal static class FrameChecks
{
    /// <summary>Every metric compares pixel to pixel, so a size mismatch is a caller bug, never something to crop around.</summary>
    public static void RequireSameSize(RgbPlanarFrame pred, RgbPlanarFrame gt)
    {
        ArgumentNullException.ThrowIfNull(pred);
        ArgumentNullException.ThrowIfNull(gt);
        if (pred.Width != gt.Width || pred.Height != gt.Height)
            throw new ArgumentException(
                $"Prediction is {pred.Width}×{pred.Height} but ground truth is {gt.Width}×{gt.Height}; metrics need frames of the same size.",
                nameof(pred));
    }
}
