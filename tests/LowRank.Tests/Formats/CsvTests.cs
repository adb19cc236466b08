using LowRank.Formats;

namespace LowRank.Tests.Formats;

public sealed class CsvTests
{
    [Fact]
    public void ReadsHeaderAndColumns()
    {
        CsvTable table = Read("time_a, \"b\" ,c\n1,2,3\n\n  4.5 , -6e-1,NaN\r\n");
        Assert.Equal(["time_a", "b", "c"], table.Columns);
        Assert.Equal([2, 3], table.Values.Shape);
        Assert.Equal([1, 2, 3, 4.5, -0.6], table.Values.Data[..5]);
        Assert.True(double.IsNaN(table.Values[1, 2]));
    }

    [Fact]
    public void SingleColumn()
    {
        CsvTable table = Read("x\n1\n2\n");
        Assert.Equal([2, 1], table.Values.Shape);
    }

    [Fact]
    public void ReadsBytesFromAStreamWithOrWithoutAByteOrderMark()
    {
        foreach (byte[] bom in new[] { Array.Empty<byte>(), System.Text.Encoding.UTF8.GetPreamble() })
        {
            CsvTable table = Csv.ReadTable(new MemoryStream([.. bom, .. "µV,b\n1,2\n"u8]), "in.csv");
            Assert.Equal(["µV", "b"], table.Columns);
            Assert.Equal([1.0, 2], table.Values.Data);
        }
    }

    [Theory]
    [InlineData("", "csv 'in.csv' is empty.")]
    [InlineData("\n  \n", "csv 'in.csv' is empty.")]
    [InlineData("a,b\n", "csv 'in.csv' has a header row (2 columns) but no data rows.")]
    [InlineData("1,2\n3,4\n", "csv 'in.csv' has no header row: line 1 holds numbers (1,2).")]
    [InlineData("a,b\n1,2\n3\n", "csv 'in.csv' line 3 has 1 cells but the header has 2 columns.")]
    [InlineData("a,b\n1,2\n\n3,4,5\n", "csv 'in.csv' line 4 has 3 cells but the header has 2 columns.")]
    [InlineData("a,b\n1,2\n3,x7\n", "csv 'in.csv' line 3, column 2 ('b'): 'x7' is not a number.")]
    [InlineData("a,b\n1,\n", "csv 'in.csv' line 2, column 2 ('b'): '' is not a number.")]
    [InlineData("a,b\n1;2\n", "csv 'in.csv' line 2, column 1 ('a'): '1;2' is not a number.")]
    public void RejectsBadTables(string text, string message)
    {
        var error = Assert.Throws<InputException>(() => Read(text));
        Assert.Equal(message, error.Message);
        Assert.False(string.IsNullOrWhiteSpace(error.Hint));
    }

    private static CsvTable Read(string text) => Csv.ReadTable(new StringReader(text), "in.csv");
}
