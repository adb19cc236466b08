using System.Reflection;
using System.Security.Cryptography;
using LowRank.Model;

namespace LowRank.Cli;

/// <summary>Provenance records for files the CLI writes.</summary>
internal static class CliProvenance
{
    public static string ToolVersion =>
        "lowrank " + (typeof(CliProvenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    public static ModelProvenance Create(string? data = null, long? seed = null) => new(
        DateTime.UtcNow.ToString("O"),
        ToolVersion,
        string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
        data is null ? null : Path.GetFullPath(data),
        data is null ? null : Sha256(data),
        seed);

    private static string Sha256(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
