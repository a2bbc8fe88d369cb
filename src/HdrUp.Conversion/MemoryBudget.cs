using System.Globalization;
using System.Text.RegularExpressions;

namespace HdrUp.Conversion;

/// <summary>
/// How much memory a conversion may use (<c>convert --max-memory</c>): parsed from sizes such as <c>3G</c> or <c>1500M</c>,
/// or by default a quarter of the machine, at most <see cref="DefaultCap"/>. <see cref="MappingFactory.TileFor"/> turns it
/// into a tile size with <see cref="PeakMemoryModel"/>.
/// </summary>
public static partial class MemoryBudget
{
    /// <summary>
    /// The default's ceiling, 3 GiB: issue #17 asks for 1080p and 4K frames of full KPNet within it. Under it full KPNet computes
    /// 1.28× a 1080p frame's pixels (576-px tiles) and 1.25× a 4K frame's (608 px); whole 1080p frames peak at 4.1 GiB with
    /// ONNX Runtime, 4.7 with libtorch (README, Performance).
    /// </summary>
    public const long DefaultCap = 3L << 30;

    /// <summary>
    /// The budget when none is given: a quarter of <paramref name="physicalBytes"/> (the machine, or its container's limit),
    /// at most <see cref="DefaultCap"/>. Physical memory rather than what is free at the moment, so the same command picks
    /// the same tiles every time it runs on a machine and a resumed run matches its cache.
    /// </summary>
    public static long Default(long physicalBytes) => Math.Clamp(physicalBytes / 4, 1, DefaultCap);

    /// <summary><see cref="Default(long)"/> of this machine.</summary>
    public static long Default() => Default(Core.ProcessMemory.PhysicalBytes());

    /// <summary>
    /// A size with a binary unit: K, M, G or T, optionally followed by i and/or B, any case (<c>3G</c> = <c>3GiB</c> = 3·2³⁰ bytes,
    /// as docker's --memory and java's -Xmx count), and a decimal point allowed (<c>2.5G</c>). A bare number is refused: it is
    /// more often meant as megabytes than as bytes.
    /// </summary>
    /// <exception cref="FormatException">Not such a size, or not positive; the one-line message names <paramref name="option"/>.</exception>
    public static long Parse(string text, string option = "--max-memory")
    {
        var match = SizePattern().Match(text.Trim());
        if (!match.Success)
            throw new FormatException($"{option} {text}: expected a size with a unit, e.g. 3G or 1500M");
        double value = double.Parse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        int shift = "KMGT".IndexOf(char.ToUpperInvariant(match.Groups[2].Value[0])) * 10 + 10;
        double bytes = value * Math.Pow(2, shift);
        if (bytes < 1)
            throw new FormatException($"{option} {text}: must be more than zero");
        if (bytes >= long.MaxValue)
            throw new FormatException($"{option} {text}: too large");
        return (long)bytes;
    }

    /// <summary>Bytes as people read them: "2.7 GiB" from 1 GiB on, "700 MiB" below.</summary>
    public static string Format(long bytes) => bytes >= 1L << 30
        ? (bytes / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB"
        : (bytes / (double)(1L << 20)).ToString("0", CultureInfo.InvariantCulture) + " MiB";

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*([kmgt])(?:i?b)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();
}
