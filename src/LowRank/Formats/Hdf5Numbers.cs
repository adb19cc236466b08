using PureHDF;
using PureHDF.VOL.Native;

namespace LowRank.Formats;

/// <summary>The values of a numeric HDF5 dataset as doubles: the one conversion the NWB and MAT v7.3 readers share.</summary>
internal static class Hdf5Numbers
{
    /// <summary>
    /// The dataset's values in its own (C) order when it holds IEEE floats of 4 or 8 bytes or integers of 1, 2, 4 or 8
    /// bytes (signed or not); null for any other type, which the caller refuses in its own words.
    /// </summary>
    public static double[]? Read(IH5Dataset dataset, IH5DataType type) => (type.Class, type.Size) switch
    {
        (H5DataTypeClass.FloatingPoint, 8) => dataset.Read<double[]>(),
        (H5DataTypeClass.FloatingPoint, 4) => Array.ConvertAll(dataset.Read<float[]>(), v => (double)v),
        (H5DataTypeClass.FixedPoint, 1) => type.FixedPoint.IsSigned ? Array.ConvertAll(dataset.Read<sbyte[]>(), v => (double)v) : Array.ConvertAll(dataset.Read<byte[]>(), v => (double)v),
        (H5DataTypeClass.FixedPoint, 2) => type.FixedPoint.IsSigned ? Array.ConvertAll(dataset.Read<short[]>(), v => (double)v) : Array.ConvertAll(dataset.Read<ushort[]>(), v => (double)v),
        (H5DataTypeClass.FixedPoint, 4) => type.FixedPoint.IsSigned ? Array.ConvertAll(dataset.Read<int[]>(), v => (double)v) : Array.ConvertAll(dataset.Read<uint[]>(), v => (double)v),
        (H5DataTypeClass.FixedPoint, 8) => type.FixedPoint.IsSigned ? Array.ConvertAll(dataset.Read<long[]>(), v => (double)v) : Array.ConvertAll(dataset.Read<ulong[]>(), v => (double)v),
        _ => null,
    };
}
