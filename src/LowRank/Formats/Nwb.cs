using System.Buffers.Binary;
using PureHDF;
using PureHDF.VOL.Native;

namespace LowRank.Formats;

/// <summary>Spike times of the units of an NWB file, one sorted array per unit.</summary>
/// <param name="UnitIds">The units table's <c>id</c> column, <c>[X]</c>.</param>
/// <param name="SpikeTimes">Spike times in seconds from session start, one array per unit.</param>
public sealed record NwbUnits(long[] UnitIds, double[][] SpikeTimes);

/// <summary>
/// Reads the units table of an NWB 2.x file (HDF5, through PureHDF): <c>/units/spike_times</c> holds
/// every unit's spike times one unit after another, and <c>/units/spike_times_index</c> the end of
/// each unit's run (a ragged column in HDMF's VectorData/VectorIndex form).
/// </summary>
public static class Nwb
{
    private static ReadOnlySpan<byte> Hdf5Signature => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Reads the spike times of every unit in the NWB file at <paramref name="path"/>.</summary>
    public static NwbUnits ReadUnits(string path)
    {
        using FileStream stream = DataFile.OpenRead(path);
        return ReadUnitsFrom(stream, $"NWB '{path}'");
    }

    /// <summary>Reads the spike times of every unit in the NWB file in <paramref name="stream"/> (seekable); <paramref name="name"/> identifies it in error messages.</summary>
    public static NwbUnits ReadUnits(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("NWB reading needs a seekable stream (HDF5 is read at addresses).", nameof(stream));
        }

        return ReadUnitsFrom(stream, $"NWB '{name}'");
    }

    private static NwbUnits ReadUnitsFrom(Stream stream, string source)
    {
        RequireHdf5(stream, source);
        using NativeFile file = H5File.Open(stream, leaveOpen: true);
        if (!file.LinkExists("units") || !file.LinkExists("units/spike_times") || !file.LinkExists("units/spike_times_index"))
        {
            throw new InputException(
                $"{source} has no units table with spike times (/units/spike_times and /units/spike_times_index).",
                "lowrank reads sorted spikes from NWB; add the units with pynwb (nwbfile.add_unit(spike_times=...)) or export binned data as .npy.");
        }

        double[] times = ReadNumbers(file.Dataset("units/spike_times"), source, "spike_times");
        double[] ends = ReadNumbers(file.Dataset("units/spike_times_index"), source, "spike_times_index");
        long[] ids = file.LinkExists("units/id")
            ? Array.ConvertAll(ReadNumbers(file.Dataset("units/id"), source, "id"), v => (long)v)
            : [.. Enumerable.Range(0, ends.Length).Select(i => (long)i)];
        if (ids.Length != ends.Length)
        {
            throw new InputException(
                $"{source} has {ids.Length} unit ids but {ends.Length} entries in spike_times_index.",
                "the units table is inconsistent; write it again with pynwb.");
        }

        var spikeTimes = new double[ends.Length][];
        int start = 0;
        for (int unit = 0; unit < ends.Length; unit++)
        {
            double end = ends[unit];
            if (end < start || end > times.Length || end != Math.Floor(end))
            {
                throw new InputException(
                    $"{source} has spike_times_index[{unit}] = {end}, outside [{start}, {times.Length}] (the index must rise to the number of spike times).",
                    "the units table is inconsistent; write it again with pynwb.");
            }

            spikeTimes[unit] = times[start..(int)end];
            start = (int)end;
            for (int i = 0; i < spikeTimes[unit].Length; i++)
            {
                if (!double.IsFinite(spikeTimes[unit][i]))
                {
                    throw new InputException(
                        $"{source} unit {ids[unit]} has spike time {spikeTimes[unit][i]}.",
                        "spike times must be finite seconds from session start; remove the invalid spikes.");
                }
            }
        }

        return new NwbUnits(ids, spikeTimes);
    }

    /// <summary>
    /// Counts spikes per bin of <paramref name="binWidth"/> seconds: <c>[T, X]</c>, X = units. Bins are
    /// <c>[t0 + k·w, t0 + (k+1)·w)</c> with t0 the earliest spike rounded down to a multiple of w; the
    /// last bin holds the latest spike.
    /// </summary>
    public static NdArray BinCounts(NwbUnits units, double binWidth)
    {
        ArgumentNullException.ThrowIfNull(units);
        if (!(binWidth > 0) || !double.IsFinite(binWidth))
        {
            throw new ArgumentOutOfRangeException(nameof(binWidth), binWidth, "bin width must be positive and finite.");
        }

        double first = double.PositiveInfinity;
        double last = double.NegativeInfinity;
        foreach (double[] unit in units.SpikeTimes)
        {
            foreach (double t in unit)
            {
                first = Math.Min(first, t);
                last = Math.Max(last, t);
            }
        }

        int channels = units.SpikeTimes.Length;
        if (double.IsInfinity(first))
        {
            return NdArray.Zeros(0, channels);
        }

        double origin = Math.Floor(first / binWidth) * binWidth;
        double steps = Math.Floor((last - origin) / binWidth) + 1;
        if (steps * channels > Array.MaxLength)
        {
            throw new InputException(
                $"binning {last - first:G6} s of spikes at {binWidth} s gives {steps} bins × {channels} units, too many for one array.",
                "choose a wider bin.");
        }

        var counts = NdArray.Zeros((int)steps, channels); // [T, X]
        for (int x = 0; x < channels; x++)
        {
            foreach (double t in units.SpikeTimes[x])
            {
                int bin = Math.Min((int)Math.Floor((t - origin) / binWidth), (int)steps - 1);
                counts.Data[bin * channels + x]++;
            }
        }

        return counts;
    }

    private static void RequireHdf5(Stream stream, string source)
    {
        Span<byte> head = stackalloc byte[8];
        // The superblock sits at 0 or after a user block of 512, 1024, 2048, … bytes.
        for (long offset = 0; offset + head.Length <= stream.Length; offset = offset == 0 ? 512 : offset * 2)
        {
            stream.Position = offset;
            if (DataFile.ReadUpTo(stream, head) == head.Length && head.SequenceEqual(Hdf5Signature))
            {
                RequireComplete(stream, offset, source);
                stream.Position = 0; // the HDF5 reader looks for the superblock itself
                return;
            }
        }

        throw new InputException(
            $"{source} is not an HDF5 file (no HDF5 signature found).",
            "NWB 2.x files are HDF5; check that the file is complete and really .nwb (NWB 1.x and Zarr-backed NWB are not supported).");
    }

    /// <summary>
    /// Compares the file's length with the end-of-file address its superblock records, so a cut-short
    /// file is reported as such instead of failing deep inside the HDF5 reader.
    /// </summary>
    private static void RequireComplete(Stream stream, long superblock, string source)
    {
        Span<byte> block = stackalloc byte[64];
        stream.Position = superblock;
        int read = DataFile.ReadUpTo(stream, block);
        if (read < 16)
        {
            throw TruncatedHdf5(source, stream.Length, null);
        }

        byte version = block[8];
        int offsetSize = version <= 1 ? block[13] : block[9];
        int eofField = version switch
        {
            0 => 24 + 2 * offsetSize,
            1 => 28 + 2 * offsetSize,
            _ => 12 + 2 * offsetSize,
        };
        if (offsetSize is not (2 or 4 or 8) || eofField + offsetSize > read)
        {
            throw TruncatedHdf5(source, stream.Length, null);
        }

        ulong endOfFile = offsetSize switch
        {
            2 => BinaryPrimitives.ReadUInt16LittleEndian(block[eofField..]),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(block[eofField..]),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(block[eofField..]),
        };
        if ((ulong)(stream.Length - superblock) < endOfFile)
        {
            throw TruncatedHdf5(source, stream.Length, endOfFile + (ulong)superblock);
        }
    }

    private static InputException TruncatedHdf5(string source, long length, ulong? expected) => new(
        expected is { } bytes
            ? $"{source} is truncated: its HDF5 superblock says the file ends at byte {bytes} but it has {length} bytes."
            : $"{source} is truncated: its HDF5 superblock is incomplete ({length} bytes in the file).",
        "the file was cut short (an interrupted copy or download?); copy or export it again.");

    private static double[] ReadNumbers(IH5Dataset dataset, string source, string name)
    {
        IH5DataType type = dataset.Type;
        return (type.Class, type.Size) switch
        {
            (H5DataTypeClass.FloatingPoint, 8) => dataset.Read<double[]>(),
            (H5DataTypeClass.FloatingPoint, 4) => Array.ConvertAll(dataset.Read<float[]>(), v => (double)v),
            (H5DataTypeClass.FixedPoint, 1) => type.FixedPoint.IsSigned ? Array.ConvertAll(dataset.Read<sbyte[]>(), v => (double)v) : Array.ConvertAll(dataset.Read<byte[]>(), v => (double)v),
            (H5DataTypeClass.FixedPoint, 2) => type.FixedPoint.IsSigned ? Array.ConvertAll(dataset.Read<short[]>(), v => (double)v) : Array.ConvertAll(dataset.Read<ushort[]>(), v => (double)v),
            (H5DataTypeClass.FixedPoint, 4) => type.FixedPoint.IsSigned ? Array.ConvertAll(dataset.Read<int[]>(), v => (double)v) : Array.ConvertAll(dataset.Read<uint[]>(), v => (double)v),
            (H5DataTypeClass.FixedPoint, 8) => type.FixedPoint.IsSigned ? Array.ConvertAll(dataset.Read<long[]>(), v => (double)v) : Array.ConvertAll(dataset.Read<ulong[]>(), v => (double)v),
            _ => throw new InputException(
                $"{source} stores /units/{name} as {type.Class} of {type.Size} bytes; lowrank reads numbers there.",
                "write the units table with pynwb, which stores spike times as float64 and the index as integers."),
        };
    }
}
