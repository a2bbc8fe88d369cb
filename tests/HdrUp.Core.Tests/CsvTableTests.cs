using nietras.SeparatedValues;

namespace HdrUp.Core.Tests;

public class CsvTableTests
{
    private static readonly string[] Columns = ["method", "params", "psnr"];

    // RFC 4180: a field with a comma or a quote is quoted and its quotes doubled; plain fields stay bare, so files
    // without such names are byte for byte what the hand-written writers made.
    [Fact]
    public void Names_with_commas_and_quotes_are_quoted_and_read_back()
    {
        string text;
        using (var writer = CsvTable.ToText(Columns))
        {
            foreach (var (method, parameters, psnr) in new[] { ("kpnet, \"v2\"", "1552475", 29.03), ("bt2408", "", 0.1 + 0.2) })
            {
                using var row = writer.NewRow();
                row["method"].Set(method);
                row["params"].Set(parameters);
                row["psnr"].Format(psnr);
            }
            text = writer.ToString();
        }
        Assert.Equal("method,params,psnr\n\"kpnet, \"\"v2\"\"\",1552475,29.03\nbt2408,,0.30000000000000004\n", text);

        using var reader = CsvTable.FromText(text);
        var rows = reader.Enumerate(r => (r["method"].ToString(), r["params"].ToString(), r["psnr"].Parse<double>())).ToList();
        Assert.Equal([("kpnet, \"v2\"", "1552475", 29.03), ("bt2408", "", 0.1 + 0.2)], rows);
    }

    [Fact]
    public void An_empty_table_is_its_header_and_appended_rows_have_none()
    {
        using (var writer = CsvTable.ToText(Columns)) Assert.Equal("method,params,psnr\n", writer.ToString());
        using var append = CsvTable.ToText(Columns, writeHeader: false);
        using (var row = append.NewRow()) { row["psnr"].Format(1.5); row["method"].Set("x"); row["params"].Set("2"); }
        Assert.Equal("x,2,1.5\n", append.ToString());
    }

    // A writer killed mid-line leaves a short last row: strict readers refuse it, uneven ones hand it over to be skipped.
    [Fact]
    public void A_short_row_throws_unless_the_reader_is_uneven()
    {
        const string text = "a,b,c\n1,2,3\n4,5\n";
        using (var strict = CsvTable.FromText(text))
            Assert.Throws<InvalidDataException>(() => strict.Enumerate(r => r.ColCount).ToList());
        using var uneven = CsvTable.FromText(text, uneven: true);
        Assert.Equal([3, 2], uneven.Enumerate(r => r.ColCount).ToList());
    }
}
