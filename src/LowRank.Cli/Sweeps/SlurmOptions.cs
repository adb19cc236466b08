using System.Globalization;
using System.Text;

namespace LowRank.Cli.Sweeps;

/// <summary>
/// What the Slurm executor asks of the cluster for each array task: partition, account, time limit, memory, cores
/// (which are also each run's <c>--threads</c>), how many tasks run at once, and any other <c>sbatch</c> arguments.
/// </summary>
internal sealed record SlurmOptions
{
    /// <summary><c>--partition</c>; null: the cluster's default.</summary>
    public string? Partition { get; init; }

    /// <summary><c>--account</c>; null: the user's default.</summary>
    public string? Account { get; init; }

    /// <summary><c>--time</c>, in any form sbatch takes (<c>90</c>, <c>2:00:00</c>, <c>1-12</c>); null: the partition's default.</summary>
    public string? TimeLimit { get; init; }

    /// <summary><c>--mem</c> per task (<c>4G</c>, <c>500M</c>); null: the partition's default.</summary>
    public string? Memory { get; init; }

    /// <summary><c>--cpus-per-task</c>, and the <c>--threads</c> of each run's steps.</summary>
    public int CpusPerTask { get; init; } = 1;

    /// <summary>At most this many tasks at once (<c>--array=…%n</c>); null: as many as the cluster gives.</summary>
    public int? Throttle { get; init; }

    /// <summary>Further <c>sbatch</c> arguments, passed as they are, after the executor's own (so they win).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>Throws an <see cref="InputException"/> naming the option that is out of range or empty.</summary>
    public void Validate()
    {
        InputException.RequireAtLeastOne(nameof(CpusPerTask), CpusPerTask);
        if (Throttle is int throttle)
        {
            InputException.RequireAtLeastOne(nameof(Throttle), throttle);
        }

        foreach ((string name, string? value) in new[] { (nameof(Partition), Partition), (nameof(Account), Account), (nameof(TimeLimit), TimeLimit), (nameof(Memory), Memory) })
        {
            if (value is not null && value.Trim().Length == 0)
            {
                throw new InputException($"{InputException.Ref(name)} is empty.", $"give {InputException.Ref(name)} a value, or leave it out for the cluster's default.");
            }
        }

        if (ExtraArguments.FirstOrDefault(a => !a.StartsWith('-')) is { } loose)
        {
            throw new InputException(
                $"{InputException.Ref(nameof(ExtraArguments))} '{loose}' is not an sbatch option (it does not start with '-').",
                $"pass each sbatch option with its value in one word, e.g. {InputException.Ref(nameof(ExtraArguments))}=--qos=long or {InputException.Ref(nameof(ExtraArguments))}=--signal=B:TERM@120.");
        }
    }

    /// <summary>The <c>sbatch</c> arguments of the job's resources: the options set, then the extra ones.</summary>
    public IEnumerable<string> ResourceArguments()
    {
        yield return "--cpus-per-task=" + CpusPerTask.ToString(CultureInfo.InvariantCulture);
        if (Partition is not null)
        {
            yield return "--partition=" + Partition;
        }

        if (Account is not null)
        {
            yield return "--account=" + Account;
        }

        if (TimeLimit is not null)
        {
            yield return "--time=" + TimeLimit;
        }

        if (Memory is not null)
        {
            yield return "--mem=" + Memory;
        }

        foreach (string argument in ExtraArguments)
        {
            yield return argument;
        }
    }

    /// <summary>
    /// The value of <c>sbatch --array</c> for array task ids <paramref name="indices"/> (ascending, distinct): runs of
    /// consecutive ids as ranges, then the throttle, e.g. <c>0-2,5,7-9%2</c>.
    /// </summary>
    public string ArraySpec(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Count == 0)
        {
            throw new ArgumentException("an array job needs at least one task.", nameof(indices));
        }

        var spec = new StringBuilder();
        for (int i = 0; i < indices.Count;)
        {
            int j = i;
            while (j + 1 < indices.Count && indices[j + 1] == indices[j] + 1)
            {
                j++;
            }

            if (indices[i] < 0 || (i > 0 && indices[i] <= indices[i - 1]))
            {
                throw new ArgumentException($"array task ids must be ascending and not negative, got {string.Join(",", indices)}.", nameof(indices));
            }

            spec.Append(spec.Length > 0 ? "," : "").Append(CultureInfo.InvariantCulture, $"{indices[i]}");
            if (j > i)
            {
                spec.Append(CultureInfo.InvariantCulture, $"-{indices[j]}");
            }

            i = j + 1;
        }

        return Throttle is int n ? spec.Append(CultureInfo.InvariantCulture, $"%{n}").ToString() : spec.ToString();
    }
}
