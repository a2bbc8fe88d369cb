using nietras.SeparatedValues;

namespace HdrUp.Core;

/// <summary>
/// The CSV of every table HdrUp writes or reads (bench reports, <c>train_log.csv</c>, <c>eval --csv</c>), through Sep:
/// comma-separated with a header row and <c>\n</c> line ends; a field is quoted, RFC 4180 style, only when it holds a
/// comma, a quote or a line break, so method names such as <c>kpnet, "v2"</c> survive and files without such names
/// read as before; numbers are written and parsed in the invariant culture. Readers look columns up by name.
/// </summary>
public static class CsvTable
{
    private static readonly Sep Comma = Sep.New(',');

    /// <summary>
    /// A writer to a string whose rows have these columns in this order (each row sets them by name); the header is
    /// written first unless <paramref name="writeHeader"/> is false (rows appended to an existing file), also when no
    /// row follows. <c>ToString()</c> is the text.
    /// </summary>
    public static SepWriter ToText(IReadOnlyList<string> columns, bool writeHeader = true)
    {
        var writer = Comma.Writer(o => o with { Escape = true, WriteHeader = writeHeader }).ToText();
        writer.Header.Add(columns);
        if (writeHeader) writer.Header.Write();
        return writer;
    }

    /// <summary>
    /// Reads <paramref name="path"/>: quotes removed, header by name. With <paramref name="uneven"/> rows may have
    /// fewer or more fields than the header (a line cut short by a killed writer) and the caller checks
    /// <c>ColCount</c>; otherwise such a row throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static SepReader FromFile(string path, bool uneven = false) => Reader(uneven).FromFile(path);

    /// <summary><see cref="FromFile"/> on a text.</summary>
    public static SepReader FromText(string text, bool uneven = false) => Reader(uneven).FromText(text);

    private static SepReaderOptions Reader(bool uneven) => Comma.Reader(o => o with { Unescape = true, DisableColCountCheck = uneven });
}
