using LowRank.Formats;

namespace LowRank.Cli.Commands;

/// <summary>A file, and for an .npz or a MAT file the array in it: <c>FILE</c>, <c>FILE.npz:ARRAY</c> or <c>FILE.mat:NAME</c> (<see cref="MatFile.Resolve"/>).</summary>
internal sealed record ArrayReference(string Path, string? Array)
{
    /// <summary>How messages name it: <c>file.npz:position</c>.</summary>
    public override string ToString() => Array is null ? Path : $"{Path}:{Array}";

    /// <summary>
    /// Splits <c>FILE:ARRAY</c> at its last colon when the part before it ends in <c>.npz</c> (so <c>C:\data.npy</c> and
    /// paths with colons elsewhere stay whole); an array name on anything but an .npz is an input error.
    /// </summary>
    public static ArrayReference Parse(string text, string flag)
    {
        (string matPath, string? address) = MatFile.SplitAddress(text);
        if (address is not null)
        {
            if (address.Length == 0)
            {
                throw new InputException($"{flag} '{text}' names no variable after the colon.", $"pass {flag} FILE.mat:NAME, e.g. {flag} session.mat:position.");
            }

            return new ArrayReference(matPath, address);
        }

        int colon = text.LastIndexOf(':');
        if (colon > 0 && text[..colon].EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
        {
            string array = text[(colon + 1)..];
            if (array.Length == 0 || array.Contains('/') || array.Contains('\\'))
            {
                throw new InputException($"{flag} '{text}' names no array after the colon.", $"pass {flag} FILE.npz:ARRAY, e.g. {flag} session.npz:position.");
            }

            return new ArrayReference(text[..colon], array);
        }

        if (colon > 0 && text[..colon].EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            throw new InputException($"{flag} '{text}' names an array in an .npy file, which holds only one.", $"pass {flag} {text[..colon]} without ':ARRAY'.");
        }

        return new ArrayReference(text, null);
    }

    /// <summary>
    /// Reads the array: an .npy file whole; from an .npz the named array, else <paramref name="defaultArray"/>, else the
    /// archive's only array.
    /// </summary>
    public NdArray Read(string flag, string? defaultArray)
    {
        if (Path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            return Npy.Read(Path);
        }

        if (MatFile.IsMatPath(Path))
        {
            MatFile file = MatFile.Read(Path);
            string[] numeric = [.. file.Variables.Where(v => v.Value is MatNumeric).Select(v => v.Key)];
            string variable = Array ?? defaultArray ?? (numeric.Length == 1 ? numeric[0] : throw new InputException(
                $"{flag} '{Path}' holds {numeric.Length} numeric variables ({string.Join(", ", numeric)}) and names none of them.",
                $"name one of them after a colon: {flag} {Path}:NAME."));
            return file.ReadArray(variable);
        }

        if (!Path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
        {
            throw new InputException($"{flag} '{Path}' is neither an .npy, an .npz nor a .mat file.", $"save the array with np.save (.npy) or np.savez (.npz) and pass {flag} FILE.npz:ARRAY.");
        }

        var arrays = Npz.Read(Path);
        string? name = Array ?? defaultArray ?? (arrays.Count == 1 ? arrays.GetAt(0).Key : null);
        if (name is null)
        {
            throw new InputException(
                $"{flag} '{Path}' holds {arrays.Count} arrays ({string.Join(", ", arrays.Keys)}) and names none of them.",
                $"name one of them after a colon: {flag} {Path}:ARRAY.");
        }

        if (!arrays.TryGetValue(name, out NdArray? array))
        {
            throw new InputException(
                $"{flag} '{Path}' has no array '{name}' (it has: {(arrays.Count == 0 ? "none" : string.Join(", ", arrays.Keys))}).",
                $"name one of its arrays after the colon: {flag} {Path}:ARRAY.");
        }

        return array;
    }
}

/// <summary>The posterior's latent means and the per-step arrays laid on its time axis (trials concatenated in order).</summary>
internal static class DecodeArrays
{
    /// <summary>
    /// The latent means of <c>lowrank infer</c>'s posterior: <c>latents_mean</c> [S, L, R] (or [T, R], one trial), as
    /// ([S·L, R], R, S, L).
    /// </summary>
    public static (double[] Latents, int Rank, int Trials, int TrialLength) ReadPosterior(string path)
    {
        if (!path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
        {
            throw new InputException($"--posterior '{path}' is not an .npz file.", "pass the posterior.npz that lowrank infer --out wrote.");
        }

        NdArray latents = Npz.RequireArray(Npz.Read(path), "latents_mean", path);
        int[] shape = latents.Shape;
        if (latents.Rank is not (2 or 3) || shape.Any(d => d < 1))
        {
            throw new InputException(
                $"latents_mean in '{path}' has shape {NdArray.FormatShape(shape)}; expected [trials, T, R] as lowrank infer writes it.",
                "pass the posterior.npz that lowrank infer --out wrote.");
        }

        return latents.Rank == 3 ? (latents.Data, shape[2], shape[0], shape[1]) : (latents.Data, shape[1], 1, shape[0]);
    }

    /// <summary>
    /// Lays <paramref name="array"/> on the posterior's time axis as [S·L, C]: 1-D [S·L] (C = 1), 2-D [S·L, C], or with
    /// several trials [S, L] (C = 1) or [S, L, C].
    /// </summary>
    public static (double[] Values, int Columns) OnTimeAxis(NdArray array, int trials, int trialLength, string what, ArrayReference source, string posterior, string hint)
    {
        int steps = trials * trialLength;
        int[] shape = array.Shape;
        (bool fits, int columns) = shape switch
        {
            [int t] when t == steps => (true, 1),
            [int t, int c] when t == steps && c > 0 => (true, c),
            [int s, int l] when trials > 1 && s == trials && l == trialLength => (true, 1),
            [int s, int l, int c] when s == trials && l == trialLength && c > 0 => (true, c),
            _ => (false, 0),
        };
        if (!fits)
        {
            int given = shape.Length == 0 ? 0 : shape.Length == 3 ? shape[0] * shape[1] : shape[0];
            throw new InputException(
                $"{what} '{source}' has shape {NdArray.FormatShape(shape)} ({given} steps) but the posterior '{posterior}' has {steps} steps ({trials} trial(s) of {trialLength}).",
                hint);
        }

        return (array.Data, columns);
    }
}
