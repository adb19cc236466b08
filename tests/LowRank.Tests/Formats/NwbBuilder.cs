using PureHDF;

namespace LowRank.Tests.Formats;

/// <summary>
/// Writes small NWB 2.x-shaped HDF5 files with PureHDF's writer, laid out as pynwb lays them out: a units table
/// (<c>/units/id</c>, the ragged <c>spike_times</c> with its <c>spike_times_index</c>) and optionally a trials table
/// (<c>/intervals/trials/start_time</c>, <c>stop_time</c>, <c>id</c>). The tests build the files they need this way
/// instead of storing them (h5py, which wrote Fixtures/nwb, is not needed).
/// </summary>
public static class NwbBuilder
{
    /// <summary>Writes <paramref name="path"/>: units with ids <paramref name="ids"/> (default 0 … U−1) and the given spike times, and the trials when given.</summary>
    public static string Write(string path, double[][] spikeTimes, (double Start, double Stop)[]? trials = null, long[]? ids = null, bool withUnits = true)
    {
        var file = new H5File
        {
            Attributes = new()
            {
                ["nwb_version"] = "2.7.0",
                ["neurodata_type"] = "NWBFile",
                ["namespace"] = "core",
            },
        };
        if (withUnits)
        {
            file["units"] = new H5Group
            {
                ["id"] = ids ?? [.. Enumerable.Range(0, spikeTimes.Length).Select(i => (long)i)],
                ["spike_times"] = spikeTimes.SelectMany(t => t).ToArray(),
                ["spike_times_index"] = RunEnds(spikeTimes),
                Attributes = new()
                {
                    ["neurodata_type"] = "Units",
                    ["namespace"] = "core",
                },
            };
        }
        else
        {
            file["acquisition"] = new H5Group();
        }

        if (trials is not null)
        {
            file["intervals"] = new H5Group
            {
                ["trials"] = new H5Group
                {
                    ["id"] = Enumerable.Range(0, trials.Length).Select(i => (long)i).ToArray(),
                    ["start_time"] = trials.Select(t => t.Start).ToArray(),
                    ["stop_time"] = trials.Select(t => t.Stop).ToArray(),
                    Attributes = new()
                    {
                        ["neurodata_type"] = "TimeIntervals",
                        ["namespace"] = "core",
                    },
                },
            };
        }

        file.Write(path);
        return path;
    }

    /// <summary>The end of each unit's run in the concatenated spike times (HDMF's VectorIndex), as int64.</summary>
    private static long[] RunEnds(double[][] spikeTimes)
    {
        var ends = new long[spikeTimes.Length];
        long end = 0;
        for (int i = 0; i < spikeTimes.Length; i++)
        {
            end += spikeTimes[i].Length;
            ends[i] = end;
        }

        return ends;
    }
}
