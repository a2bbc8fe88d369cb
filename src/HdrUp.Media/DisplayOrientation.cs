using System.Globalization;
using System.Text.RegularExpressions;

namespace HdrUp.Media;

/// <summary>
/// How a player turns the stored picture to show it: first mirrored left–right when
/// <see cref="Mirrored"/>, then turned clockwise by <see cref="ClockwiseDegrees"/> (0, 90, 180, 270).
/// Those two cover all eight ways a display matrix can lay a picture on the screen axis by axis
/// (four turns, each with or without a mirror: a vertical flip is a mirror turned 180°).
/// </summary>
public readonly partial record struct DisplayOrientation(int ClockwiseDegrees, bool Mirrored)
{
    public static DisplayOrientation Upright => default;

    public bool IsUpright => ClockwiseDegrees == 0 && !Mirrored;

    /// <summary>A quarter turn: the shown picture is as wide as the stored one is tall.</summary>
    public bool SwapsAxes => ClockwiseDegrees is 90 or 270;

    /// <summary>
    /// Reads an ffmpeg display matrix (row-major 3×3, the first two columns 16.16 fixed point; stored
    /// picture point (p, q) goes to (p, q, 1)·M on the screen, y pointing down), so that the stored
    /// x axis is shown along (M[0], M[1]) and the y axis along (M[3], M[4]). A negative determinant is
    /// a mirror image. <paramref name="exactClockwiseDegrees"/> is the turn before rounding to a quarter
    /// (it differs only for matrices that tilt the picture, which are rounded).
    /// </summary>
    public static DisplayOrientation FromMatrix(IReadOnlyList<long> matrix, out double exactClockwiseDegrees)
    {
        if (matrix.Count < 5)
            throw new ArgumentException("A display matrix has 9 entries.", nameof(matrix));
        double a = matrix[0], b = matrix[1], c = matrix[3], d = matrix[4];
        bool mirrored = a * d - b * c < 0;
        // Where the stored x axis points on screen, clockwise from "right". Mirroring first sends it
        // left, so the turn that follows is that direction less 180°.
        double xAxis = Math.Atan2(b, a) * 180 / Math.PI;
        double turn = mirrored ? xAxis - 180 : xAxis;
        exactClockwiseDegrees = ((turn % 360) + 360) % 360;
        int quarters = (int)Math.Round(exactClockwiseDegrees / 90.0) % 4;
        return new DisplayOrientation(quarters * 90, mirrored);
    }

    /// <summary>
    /// The display matrix as ffprobe prints it in <c>side_data_list[].displaymatrix</c>: three lines
    /// "00000000:  a  b  u" …; null when the text does not hold nine numbers.
    /// </summary>
    public static long[]? ParseFfprobeMatrix(string? text)
    {
        if (text is null) return null;
        var values = new List<long>();
        foreach (Match row in MatrixRow().Matches(text))
            for (int i = 1; i <= 3; i++)
                values.Add(long.Parse(row.Groups[i].Value, CultureInfo.InvariantCulture));
        return values.Count == 9 ? values.ToArray() : null;
    }

    /// <summary>
    /// The ffmpeg filters (comma-separated) that make the shown picture from the stored one; null when
    /// upright. transpose's directions: cclock_flip swaps the axes (x → down, y → right), clock_flip
    /// swaps them the other way (x → up, y → left).
    /// </summary>
    public string? Filter => (ClockwiseDegrees, Mirrored) switch
    {
        (0, false) => null,
        (90, false) => "transpose=clock",
        (180, false) => "hflip,vflip",
        (270, false) => "transpose=cclock",
        (0, true) => "hflip",
        (90, true) => "transpose=clock_flip",
        (180, true) => "vflip",
        (270, true) => "transpose=cclock_flip",
        _ => throw new InvalidOperationException($"not a quarter turn: {ClockwiseDegrees}°"),
    };

    /// <summary>What a viewer would call it: "turned 90° clockwise", "mirrored left–right", "flipped upside down"...</summary>
    public string Describe() => (ClockwiseDegrees, Mirrored) switch
    {
        (0, false) => "upright",
        (90, false) => "turned 90° clockwise",
        (180, false) => "turned 180°",
        (270, false) => "turned 90° counter-clockwise",
        (0, true) => "mirrored left–right",
        (90, true) => "mirrored left–right, then turned 90° clockwise",
        (180, true) => "flipped upside down",
        (270, true) => "mirrored left–right, then turned 90° counter-clockwise",
        _ => $"{ClockwiseDegrees}°",
    };

    [GeneratedRegex(@"^\s*[0-9a-fA-F]{8}:\s*(-?\d+)\s+(-?\d+)\s+(-?\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex MatrixRow();
}
