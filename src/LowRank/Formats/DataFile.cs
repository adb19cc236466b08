namespace LowRank.Formats;

/// <summary>Opening user-supplied files with <see cref="InputException"/> for the failures a user can fix.</summary>
internal static class DataFile
{
    /// <summary>Opens <paramref name="path"/> for sequential reading; a missing file or a folder is an input error.</summary>
    public static FileStream OpenRead(string path)
    {
        if (Directory.Exists(path))
        {
            throw new InputException(
                $"'{path}' is a directory, not a data file.",
                "pass the path of a .npy, .npz, .csv, .edf or .nwb file.");
        }

        if (!File.Exists(path))
        {
            throw new InputException(
                $"file '{path}' does not exist.",
                $"check the path; relative paths are resolved from '{Environment.CurrentDirectory}'.");
        }

        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new InputException($"file '{path}' cannot be read: {ex.Message}", "check the file's permissions.", ex);
        }
        catch (IOException ex)
        {
            throw new InputException($"file '{path}' cannot be opened: {ex.Message}", "check that no other program holds it locked.", ex);
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    public static int ReadUpTo(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer[total..]);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
