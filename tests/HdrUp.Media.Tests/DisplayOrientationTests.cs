namespace HdrUp.Media.Tests;

public class DisplayOrientationTests
{
    // The displaymatrix texts are ffprobe 5.1's own output for clips made by `-metadata:s:v:0 rotate=N`
    // (stream copy) and, for the mirrors, by writing the tkhd matrix (Mp4DisplayMatrix). The filter
    // column is what ffmpeg 5.1's autorotate inserts for the same matrix (fftools/ffmpeg_filter.c), and
    // what a player built on it shows; the reader test below checks the pixels against it.
    [Theory]
    [InlineData("0 -65536 0|65536 0 0|0 0 1073741824", 270, false, "transpose=cclock")]   // rotate=90 in ffmpeg 5.1 (ffprobe "rotation": 90)
    [InlineData("-65536 0 0|0 -65536 0|0 0 1073741824", 180, false, "hflip,vflip")]       // rotate=180
    [InlineData("0 65536 0|-65536 0 0|0 0 1073741824", 90, false, "transpose=clock")]     // rotate=270 (an iPhone held upright)
    [InlineData("-65536 0 0|0 65536 0|0 0 1073741824", 0, true, "hflip")]                 // mirrored left–right
    [InlineData("65536 0 0|0 -65536 0|0 0 1073741824", 180, true, "vflip")]               // upside down
    [InlineData("0 65536 0|65536 0 0|0 0 1073741824", 270, true, "transpose=cclock_flip")] // axes swapped
    [InlineData("0 -65536 0|-65536 0 0|0 0 1073741824", 90, true, "transpose=clock_flip")] // axes swapped the other way
    [InlineData("65536 0 0|0 65536 0|0 0 1073741824", 0, false, null)]
    public void Display_matrix_gives_the_turn_and_mirror_a_player_applies(string rows, int clockwise, bool mirrored, string? filter)
    {
        string ffprobeText = "\n" + string.Join("", rows.Split('|').Select((row, i) =>
            $"0000000{i}: {string.Join(' ', row.Split(' ').Select(v => v.PadLeft(12)))}\n"));

        long[]? matrix = DisplayOrientation.ParseFfprobeMatrix(ffprobeText);
        Assert.NotNull(matrix);
        var orientation = DisplayOrientation.FromMatrix(matrix, out double exact);

        Assert.Equal(new DisplayOrientation(clockwise, mirrored), orientation);
        Assert.Equal(clockwise, exact, 6);
        Assert.Equal(filter, orientation.Filter);
    }

    [Fact]
    public void Tilted_matrix_is_rounded_to_the_nearest_quarter_turn()
    {
        // 30° clockwise: x axis along (cos 30°, sin 30°) in 16.16.
        long c = (long)Math.Round(Math.Cos(Math.PI / 6) * 65536), s = (long)Math.Round(Math.Sin(Math.PI / 6) * 65536);
        var orientation = DisplayOrientation.FromMatrix([c, s, 0, -s, c, 0, 0, 0, 1 << 30], out double exact);

        Assert.Equal(DisplayOrientation.Upright, orientation);
        Assert.Equal(30, exact, 3);
    }

    [Fact]
    public void Text_without_nine_numbers_is_no_matrix()
    {
        Assert.Null(DisplayOrientation.ParseFfprobeMatrix(null));
        Assert.Null(DisplayOrientation.ParseFfprobeMatrix("\n00000000:            0      -65536           0\n"));
    }
}
