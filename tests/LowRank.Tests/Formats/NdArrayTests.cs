using CsCheck;
using LowRank.Formats;

namespace LowRank.Tests.Formats;

public sealed class NdArrayTests
{
    [Fact]
    public void OffsetAndIndexOfAreInverse()
    {
        var a = NdArray.Zeros(2, 3, 4);
        for (int offset = 0; offset < a.Length; offset++)
        {
            Assert.Equal(offset, a.Offset(a.IndexOf(offset)));
        }

        Assert.Equal(1 * 12 + 2 * 4 + 3, a.Offset(1, 2, 3));
    }

    [Fact]
    public void RejectsShapeDataMismatchAndBadIndices()
    {
        Assert.Throws<ArgumentException>(() => new NdArray([2, 3], new double[5]));
        Assert.Throws<ArgumentException>(() => new NdArray([-1], []));
        var a = NdArray.Zeros(2, 3);
        Assert.Throws<ArgumentException>(() => a.Offset(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Offset(2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Offset(0, -1));
        Assert.Throws<ArgumentException>(() => a.Reshape(4, 2));
    }

    [Fact]
    public void FactoriesShareOrCopyAsDocumented()
    {
        double[] data = [1, 2, 3, 4, 5, 6];
        NdArray wrapped = NdArray.Create(data, 2, 3);
        wrapped[1, 2] = 60;
        Assert.Equal(60, data[5]);
        Assert.Same(data, wrapped.Reshape(3, 2).Data);

        NdArray matrix = NdArray.FromMatrix(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Assert.Equal([2, 3], matrix.Shape);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], matrix.Data);

        Assert.Equal("[]", NdArray.FormatShape(NdArray.Scalar(1).Shape));
        Assert.Equal("[9640, 64]", NdArray.FormatShape([9640, 64]));
    }

    [Fact]
    public void NpyRoundTripIsBitExactForAnyShapeAndValue()
    {
        Gen<int[]> shapes = Gen.Int[0, 4].SelectMany(rank => Gen.Int[0, 5].Array[rank]);
        Gen.Select(shapes, Gen.Int, Gen.Bool).Sample((shape, seed, single) =>
        {
            int count = (int)NdArray.CountElements(shape);
            var data = new double[count];
            var random = new Random(seed);
            for (int k = 0; k < count; k++)
            {
                // Every bit pattern: normals, subnormals, ±0, ±Inf and NaN payloads.
                data[k] = BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue));
            }

            DType type = single ? DType.Float32 : DType.Float64;
            using var stream = new MemoryStream();
            Npy.Write(stream, new NdArray(shape, data), type);
            Assert.Equal(0, (int)(Npy.BuildHeader(type, shape).Length % 64));
            stream.Position = 0;
            NdArray back = Npy.Read(stream, "property");
            Assert.Equal(shape, back.Shape);
            for (int k = 0; k < count; k++)
            {
                double expected = single ? (float)data[k] : data[k];
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(back.Data[k]));
            }
        });
    }
}
