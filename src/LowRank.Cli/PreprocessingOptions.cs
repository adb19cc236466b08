using System.CommandLine;
using LowRank.Data;

namespace LowRank.Cli;

/// <summary>
/// <c>--channels</c> and <c>--zscore</c> (and, for data read by a fitted model, <c>--preprocessed</c>), with the spike
/// binning (<see cref="SpikeBinningOptions"/>: <c>--bin-width</c>, <c>--start</c>, <c>--stop</c>, <c>--align-trials</c>):
/// what is done to a recording before it is fitted or scored (<see cref="PreprocessingRequest"/>), defined once for every command.
/// </summary>
internal sealed class PreprocessingOptions
{
    private readonly SpikeBinningOptions _binning = new();
    private readonly Option<string?> _channels;
    private readonly Option<bool> _zscore;
    private readonly Option<bool>? _preprocessed;

    private PreprocessingOptions(bool forFit)
    {
        _channels = new Option<string?>("--channels")
        {
            Description = forFit
                ? "Channels to fit: labels as in the file's header (trailing dots optional) or 0-based indices and ranges, e.g. C3,Cz,C4 or 0-31,40. [default: all]"
                : "Channels to use when the model stores no selection (one that does picks its own) or with --preprocessed: labels or 0-based indices, e.g. 0-31,40.",
        };
        _zscore = new Option<bool>("--zscore")
        {
            Description = forFit
                ? "Z-score each channel (population sd; training part only with --holdout); the statistics go into model.json and are applied to later data."
                : "Z-score the data: with the statistics the model stores (applied anyway; the flag changes nothing), or, for a model without them, the data's own.",
        };
        if (!forFit)
        {
            _preprocessed = new Option<bool>("--preprocessed")
            {
                Description = "The data is z-scored already (e.g. EEG_data_smoothed.npy): apply none of the model's stored preprocessing.",
            };
        }
    }

    /// <summary>The options of <c>lowrank fit</c>.</summary>
    public static PreprocessingOptions ForFit() => new(forFit: true);

    /// <summary>The options of commands that read data for a fitted model (<c>evaluate</c>, <c>infer</c>, <c>generate --data</c>).</summary>
    public static PreprocessingOptions ForModel() => new(forFit: false);

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        _binning.AddTo(command);
        command.Options.Add(_channels);
        command.Options.Add(_zscore);
        if (_preprocessed is not null)
        {
            command.Options.Add(_preprocessed);
        }
    }

    /// <summary>The request the parsed flags make; a malformed <c>--channels</c> or binning is an <see cref="InputException"/>.</summary>
    public PreprocessingRequest Read(ParseResult parse) => new()
    {
        Binning = _binning.Read(parse),
        Channels = parse.GetValue(_channels) is string text ? ChannelSelection.Parse(text) : null,
        ZScore = parse.GetValue(_zscore),
        Preprocessed = _preprocessed is not null && parse.GetValue(_preprocessed),
    };
}
