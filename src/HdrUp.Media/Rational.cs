using System.Globalization;

namespace HdrUp.Media;

/// <summary>An exact ratio as ffmpeg prints it ("30000/1001", "16:9"); 0/0 means unknown.</summary>
public readonly record struct Rational(int Numerator, int Denominator)
{
    public static readonly Rational Unknown = new(0, 0);

    public bool IsKnown => Numerator > 0 && Denominator > 0;

    /// <summary>The value as a double; NaN when unknown.</summary>
    public double Value => IsKnown ? (double)Numerator / Denominator : double.NaN;

    /// <summary>ffmpeg's own spelling, accepted by <c>-r</c> and <c>-framerate</c>.</summary>
    public override string ToString() => $"{Numerator}/{Denominator}";

    /// <summary>Parses "a/b" or "a:b"; anything else (null, "N/A", "0/0") gives <see cref="Unknown"/>.</summary>
    public static Rational Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return Unknown;
        int split = text.IndexOfAny(['/', ':']);
        if (split < 0)
        {
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int whole) && whole > 0
                ? new Rational(whole, 1) : Unknown;
        }
        bool ok = int.TryParse(text.AsSpan(0, split), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)
            & int.TryParse(text.AsSpan(split + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out int d);
        return ok && n > 0 && d > 0 ? new Rational(n, d) : Unknown;
    }
}
