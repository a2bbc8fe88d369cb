namespace HdrUp.Core;

/// <summary>Picking a few items of an ordered list so that they cover all of it (figure rows, calibration crops).</summary>
public static class EvenSpread
{
    /// <summary>Indices of <paramref name="picks"/> items out of <paramref name="count"/>, one from the middle of each of
    /// <paramref name="picks"/> equal parts (all items when there are no more than <paramref name="picks"/>).</summary>
    public static int[] Indices(int count, int picks) =>
        Enumerable.Range(0, Math.Min(picks, count)).Select(i => (int)((i + 0.5) * count / Math.Min(picks, count))).Distinct().ToArray();
}
