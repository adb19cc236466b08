namespace LowRank;

/// <summary>
/// A problem with what the user supplied (a file, an option value, a model directory) that the
/// user can fix. The command-line tool prints it as <c>error: {Message}</c> followed by
/// <c>  hint: {Hint}</c> and exits with code 2. Programmer errors use <see cref="ArgumentException"/>.
/// </summary>
public sealed class InputException : Exception
{
    public InputException(string message, string hint)
        : base(message)
    {
        Hint = hint;
    }

    public InputException(string message, string hint, Exception inner)
        : base(message, inner)
    {
        Hint = hint;
    }

    /// <summary>One sentence that says how to fix the problem.</summary>
    public string Hint { get; }

    /// <summary>
    /// Throws <c>{option} must be {expected}, got {value}.</c> with the hint <c>pass {option} with a value that is {expected}.</c>
    /// unless <paramref name="ok"/>.
    /// </summary>
    public static void RequireOption(bool ok, string option, object value, string expected)
    {
        if (!ok)
        {
            throw new InputException($"{option} must be {expected}, got {value}.", $"pass {option} with a value that is {expected}.");
        }
    }
}
