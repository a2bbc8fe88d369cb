namespace HdrUp.Core;

/// <summary>
/// A table as plain-text cells: what a job reports for a front end to draw (the CLI with Spectre.Console) and a test to read,
/// without the job knowing about consoles. Cells are text, never markup.
/// </summary>
public sealed class TextTable(params string[] headers)
{
    private readonly HashSet<int> rightAligned = [];
    private readonly List<(string[] Cells, bool Emphasis)> rows = [];

    public IReadOnlyList<string> Headers { get; } = headers;
    public string? Title { get; init; }
    public IReadOnlyList<(string[] Cells, bool Emphasis)> Rows => rows;

    /// <summary>Lines to print under the table (footnotes).</summary>
    public List<string> Notes { get; } = [];

    public bool IsRightAligned(int column) => rightAligned.Contains(column);

    /// <summary>Right-aligns the given columns (numbers).</summary>
    public TextTable Right(params int[] columns)
    {
        rightAligned.UnionWith(columns);
        return this;
    }

    public TextTable Add(params string[] cells) => Add(false, cells);

    /// <summary>Adds a row to be drawn in bold (a total).</summary>
    public TextTable Add(bool emphasis, params string[] cells)
    {
        rows.Add((cells, emphasis));
        return this;
    }
}
