namespace LowRank.Formats;

/// <summary>
/// The stream PureHDF reads an NWB file through: a view of the caller's stream that leaves it open. It is not a
/// <see cref="FileStream"/>, so PureHDF reads it with its stream driver, which notices a read past the end of the file
/// (its file-handle driver does not). A read that asks for more bytes than the file has left is refused with an
/// <see cref="InputException"/>: some length field of a damaged structure claimed them.
/// </summary>
internal sealed class Hdf5Input(Stream inner, string source, string hint = Nwb.DamagedHint) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        long position = inner.Position;
        if (buffer.Length > inner.Length - position)
        {
            throw new InputException(
                $"{source} is not a readable HDF5 file (a structure at byte {position} needs {buffer.Length} bytes, but the file ends at byte {inner.Length}).",
                hint);
        }

        return inner.Read(buffer);
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
