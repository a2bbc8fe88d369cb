namespace HdrUp.Conversion.Tests;

/// <summary>--max-memory's sizes and the default budget.</summary>
public class MemoryBudgetTests
{
    // Binary units, any case, optional i and B, decimals allowed: 3G is 3·2³⁰ bytes as in docker --memory and java -Xmx.
    [Theory]
    [InlineData("3G", 3L << 30)]
    [InlineData("3g", 3L << 30)]
    [InlineData("3GiB", 3L << 30)]
    [InlineData("3GB", 3L << 30)]
    [InlineData("1500M", 1500L << 20)]
    [InlineData("1500 MiB", 1500L << 20)]
    [InlineData("2.5G", 5L << 29)]
    [InlineData("512k", 512L << 10)]
    [InlineData("1T", 1L << 40)]
    [InlineData(" 800M ", 800L << 20)]
    public void Parse_reads_binary_units(string text, long bytes) => Assert.Equal(bytes, MemoryBudget.Parse(text));

    // A bare number, an unknown unit, a sign, a second point, zero, overflow: one line naming the option and the value.
    [Theory]
    [InlineData("3000", "--max-memory 3000: expected a size with a unit, e.g. 3G or 1500M")]
    [InlineData("3X", "--max-memory 3X: expected a size with a unit, e.g. 3G or 1500M")]
    [InlineData("-1G", "--max-memory -1G: expected a size with a unit, e.g. 3G or 1500M")]
    [InlineData("1.5.2G", "--max-memory 1.5.2G: expected a size with a unit, e.g. 3G or 1500M")]
    [InlineData("G", "--max-memory G: expected a size with a unit, e.g. 3G or 1500M")]
    [InlineData("", "--max-memory : expected a size with a unit, e.g. 3G or 1500M")]
    [InlineData("0M", "--max-memory 0M: must be more than zero")]
    [InlineData("0.0001K", "--max-memory 0.0001K: must be more than zero")]
    [InlineData("99999999T", "--max-memory 99999999T: too large")]
    public void Parse_refuses_what_is_not_a_size_in_one_line(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => MemoryBudget.Parse(text));
        Assert.Equal(message, error.Message);
    }

    // A quarter of the machine, at most 3 GiB: 8 GiB → 2 GiB, 16 GiB and 24 GiB (this machine) → 3 GiB.
    [Theory]
    [InlineData(8L << 30, 2L << 30)]
    [InlineData(12L << 30, 3L << 30)]
    [InlineData(16L << 30, 3L << 30)]
    [InlineData(24L << 30, 3L << 30)]
    [InlineData(2L << 30, 512L << 20)]
    public void Default_is_a_quarter_of_the_machine_at_most_3GiB(long physical, long budget) =>
        Assert.Equal(budget, MemoryBudget.Default(physical));

    [Theory]
    [InlineData(3L << 30, "3.0 GiB")]
    [InlineData((27L << 30) / 10, "2.7 GiB")]
    [InlineData(700L << 20, "700 MiB")]
    public void Format_uses_GiB_from_one_GiB_on(long bytes, string text) => Assert.Equal(text, MemoryBudget.Format(bytes));
}
