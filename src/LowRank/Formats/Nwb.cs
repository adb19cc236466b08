using System.Buffers.Binary;
using System.Diagnostics;
using PureHDF;
using PureHDF.VOL.Native;

namespace LowRank.Formats;

/// <summary>Spike times of the units of an NWB file, one sorted array per unit.</summary>
/// <param name="UnitIds">The units table's <c>id</c> column, <c>[X]</c>.</param>
/// <param name="SpikeTimes">Spike times in seconds from session start, one array per unit.</param>
public sealed record NwbUnits(long[] UnitIds, double[][] SpikeTimes);

/// <summary>The trials table of an NWB file: when each trial starts and stops.</summary>
/// <param name="StartTimes">The <c>start_time</c> column, seconds, [trials].</param>
/// <param name="StopTimes">The <c>stop_time</c> column, seconds, [trials].</param>
public sealed record NwbTrials(double[] StartTimes, double[] StopTimes);

/// <summary>
/// Reads the units table of an NWB 2.x file (HDF5, through PureHDF): <c>/units/spike_times</c> holds
/// every unit's spike times one unit after another, and <c>/units/spike_times_index</c> the end of
/// each unit's run (a ragged column in HDMF's VectorData/VectorIndex form). The trials table,
/// <c>/intervals/trials</c>, has the columns <c>start_time</c> and <c>stop_time</c>.
/// </summary>
public static class Nwb
{
    /// <summary>The hint of every input error about a file whose HDF5 structures cannot be decoded.</summary>
    internal const string DamagedHint = "the file is damaged (an interrupted copy or download?) or not HDF5; copy it again, or export it again with pynwb.";

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

    /// <summary>The path of the trials table (<c>/intervals/trials</c>) as messages name it.</summary>
    public const string TrialsTable = "/intervals/trials";

    /// <summary>Reads the trials table of the NWB file at <paramref name="path"/>, or null when it has none.</summary>
    public static NwbTrials? ReadTrials(string path)
    {
        using FileStream stream = DataFile.OpenRead(path);
        string source = $"NWB '{path}'";
        RequireHdf5(stream, source);
        using var input = new Hdf5Input(stream, source);
        using NativeFile file = Hdf5(source, () => H5File.Open(input, leaveOpen: true));
        if (!Hdf5(source, () => file.LinkExists("intervals") && file.LinkExists("intervals/trials")))
        {
            return null;
        }

        if (!Hdf5(source, () => file.LinkExists("intervals/trials/start_time") && file.LinkExists("intervals/trials/stop_time")))
        {
            throw new InputException(
                $"{source} has a trials table ({TrialsTable}) without the columns start_time and stop_time.",
                "write the trials with pynwb (nwbfile.add_trial(start_time=..., stop_time=...)), which stores both columns.");
        }

        double[] starts = ReadNumbers(file, "intervals/trials/start_time", source, stream.Length);
        double[] stops = ReadNumbers(file, "intervals/trials/stop_time", source, stream.Length);
        if (starts.Length != stops.Length)
        {
            throw new InputException(
                $"{source} has {starts.Length} start_time but {stops.Length} stop_time entries in {TrialsTable}.",
                "the trials table is inconsistent; write it again with pynwb.");
        }

        return new NwbTrials(starts, stops);
    }

    private static NwbUnits ReadUnitsFrom(Stream stream, string source)
    {
        RequireHdf5(stream, source);
        using var input = new Hdf5Input(stream, source);
        using NativeFile file = Hdf5(source, () => H5File.Open(input, leaveOpen: true));
        if (!Hdf5(source, () => file.LinkExists("units") && file.LinkExists("units/spike_times") && file.LinkExists("units/spike_times_index")))
        {
            throw new InputException(
                $"{source} has no units table with spike times (/units/spike_times and /units/spike_times_index).",
                "lowrank reads sorted spikes from NWB; add the units with pynwb (nwbfile.add_unit(spike_times=...)) or export binned data as .npy.");
        }

        double[] times = ReadNumbers(file, "units/spike_times", source, stream.Length);
        double[] ends = ReadNumbers(file, "units/spike_times_index", source, stream.Length);
        long[] ids = Hdf5(source, () => file.LinkExists("units/id"))
            ? Array.ConvertAll(ReadNumbers(file, "units/id", source, stream.Length), v => (long)v)
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
    internal static void RequireComplete(Stream stream, long superblock, string source)
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

        // libhdf5 records the end of the file as an absolute address, also after a user block (MAT 7.3's 512 bytes).
        ulong endOfFile = ReadAddress(block[eofField..], offsetSize);
        if ((ulong)stream.Length < endOfFile)
        {
            throw TruncatedHdf5(source, stream.Length, endOfFile);
        }
    }

    private static ulong ReadAddress(ReadOnlySpan<byte> bytes, int offsetSize) => offsetSize switch
    {
        2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
    };

    private static InputException TruncatedHdf5(string source, long length, ulong? expected) => new(
        expected is { } bytes
            ? $"{source} is truncated: its HDF5 superblock says the file ends at byte {bytes} but it has {length} bytes."
            : $"{source} is truncated: its HDF5 superblock is incomplete ({length} bytes in the file).",
        "the file was cut short (an interrupted copy or download?); copy or export it again.");

    /// <summary>
    /// Reads the one-dimensional numeric column <c>/{name}</c> (e.g. <c>units/spike_times</c>) as doubles, after checking that its extent fits the
    /// file (PureHDF allocates what the extent claims before it reads).
    /// </summary>
    private static double[] ReadNumbers(NativeFile file, string name, string source, long fileLength)
    {
        IH5Dataset dataset = Hdf5(source, () => file.Dataset(name));
        (IH5DataType type, ulong[] extent, H5DataLayoutClass layout) = Hdf5(source, () => (dataset.Type, dataset.Space.Dimensions, dataset.Layout.Class));
        if (extent.Length != 1)
        {
            throw new InputException(
                $"{source} stores /{name} with shape [{string.Join(", ", extent)}]; a table column is one-dimensional.",
                "write the units table with pynwb, which stores each column as a 1-D dataset.");
        }

        // Stored data cannot hold more bytes than the file; deflate, the densest filter, expands at most 1032-fold.
        double bytes = (double)extent[0] * type.Size;
        double room = layout == H5DataLayoutClass.Chunked ? 1032.0 * fileLength : fileLength;
        if (extent[0] > (ulong)Array.MaxLength || bytes > room)
        {
            throw new InputException(
                $"{source} claims {extent[0]} values of {type.Size} bytes in /{name}, more than its {fileLength} bytes can hold.",
                "the file is damaged (an interrupted copy or download?); copy or export it again.");
        }

        return Hdf5(source, () => Hdf5Numbers.Read(dataset, type)) ?? throw new InputException(
            $"{source} stores /{name} as {type.Class} of {type.Size} bytes; lowrank reads numbers there.",
            "write the units table with pynwb, which stores spike times as float64 and the index as integers.");
    }

    /// <summary>
    /// Runs one PureHDF call. The exceptions PureHDF 2.2 throws on a file it cannot decode become an
    /// <see cref="InputException"/>: <see cref="Exception"/> itself (a wrong signature or version), and the format,
    /// stream and arithmetic exceptions that damaged fields lead it into (fuzzing saw exactly these). Only exceptions that
    /// passed through PureHDF are caught, so a failure of our own code stays what it is.
    /// </summary>
    internal static T Hdf5<T>(string source, Func<T> read, string hint = DamagedHint)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (IsDecodingFailure(ex))
        {
            string reason = ex is EndOfStreamException ? "a structure in it points past the end of the file" : ex.Message.TrimEnd('.');
            throw new InputException($"{source} is not a readable HDF5 file ({reason}).", hint, ex);
        }
    }

    private static bool IsDecodingFailure(Exception ex) =>
        (ex.GetType() == typeof(Exception)
            || ex is FormatException or NotSupportedException or IOException or ArgumentOutOfRangeException or OverflowException)
        && new StackTrace(ex).GetFrames().Any(frame => frame.GetMethod()?.Module.Assembly == typeof(H5File).Assembly);
}
