using PureHDF;
using PureHDF.VOL.Native;

namespace LowRank.Formats;

/// <summary>
/// Reads a MAT v7.3 file: HDF5 after a 512-byte MATLAB header, read through PureHDF. Each variable is a dataset or
/// group of the root with the attribute <c>MATLAB_class</c>; MATLAB writes an array's dimensions reversed (HDF5 shape
/// <c>[k, j, i]</c> for MATLAB's <c>i×j×k</c>), so the dataset's C order is MATLAB's column-major order. An empty array
/// is a dataset with <c>MATLAB_empty</c> whose values are its dimensions; a struct is a group of its fields; a cell
/// array, and a field of a struct array, is a dataset of references into <c>#refs#</c>.
/// </summary>
internal static class MatV73Reader
{
    private const string Hint = "the file is damaged or was not written by MATLAB's save(path, 'x', '-v7.3'); copy it again, or save it again with '-v7'.";
    private const long MaxDeflateRatio = 1032;
    private const int MaxDepth = 32;
    private static ReadOnlySpan<byte> Hdf5Signature => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Reads every variable (names starting with <c>#</c> are MATLAB's bookkeeping and are skipped).</summary>
    public static OrderedDictionary<string, MatValue> Read(Stream stream, int superblock, string source)
    {
        Span<byte> signature = stackalloc byte[8];
        stream.Position = superblock;
        if (DataFile.ReadUpTo(stream, signature) < signature.Length)
        {
            throw MatV5Reader.Truncated(source, $"its header says MAT 7.3, but the file ends before the HDF5 data at byte {superblock}");
        }

        if (!signature.SequenceEqual(Hdf5Signature))
        {
            throw new InputException($"{source} says it is MAT 7.3 but holds no HDF5 data at byte {superblock}.", Hint);
        }

        Nwb.RequireComplete(stream, superblock, source);
        stream.Position = 0;
        using var input = new Hdf5Input(stream, source, Hint);
        using NativeFile file = Nwb.Hdf5(source, () => H5File.Open(input, leaveOpen: true), Hint);
        var reader = new Reader(file, source, stream.Length);
        var variables = new OrderedDictionary<string, MatValue>(StringComparer.Ordinal);
        foreach (IH5Object child in Nwb.Hdf5(source, () => file.Children().ToList(), Hint))
        {
            if (!child.Name.StartsWith('#'))
            {
                variables.Add(child.Name, reader.Value(child, child.Name, 0));
            }
        }

        return variables;
    }

    private sealed class Reader(NativeFile file, string source, long fileLength)
    {
        public MatValue Value(IH5Object item, string path, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new InputException($"{source} nests cells or structs more than {MaxDepth} levels deep at '{path}'.", Hint);
            }

            string className = Hdf5(() => item.AttributeExists("MATLAB_class") ? item.Attribute("MATLAB_class").Read<string>() : "struct");
            if (item is IH5Group group)
            {
                if (Hdf5(() => group.AttributeExists("MATLAB_sparse")))
                {
                    return new MatUnsupported([0, 0], $"sparse {className}", "sparse matrices are not supported",
                        "convert it to a full matrix in MATLAB before saving: x = full(x); save(path, 'x', '-v7.3').");
                }

                if (className != "struct")
                {
                    return new MatUnsupported([1, 1], className, $"MATLAB objects (class {className}) are not supported", "save its numeric properties as plain arrays or a struct.");
                }

                List<IH5Object> children = Hdf5(() => group.Children().ToList());
                string[] fields = [.. children.Select(c => c.Name)];
                var values = new MatValue[fields.Length];
                for (int f = 0; f < fields.Length; f++)
                {
                    values[f] = Value(children[f], $"{path}.{fields[f]}", depth + 1);
                }

                return new MatStruct([1, 1], fields, [values]);
            }

            if (item is not IH5Dataset dataset)
            {
                throw new InputException($"{source} holds '{path}', which is neither a dataset nor a group.", Hint);
            }

            (IH5DataType type, ulong[] extent) = Hdf5(() => (dataset.Type, dataset.Space.Dimensions));
            if (Hdf5(() => dataset.AttributeExists("MATLAB_empty")))
            {
                int[] emptyDims = Array.ConvertAll(Numbers(dataset, type, extent, path), v => (int)Math.Clamp(v, 0, int.MaxValue));
                if (emptyDims.Length < 2 || NdArray.CountElements(emptyDims) != 0)
                {
                    throw new InputException($"{source} is damaged: '{path}' is marked empty but its dimensions are {NdArray.FormatShape(emptyDims)}.", Hint);
                }

                return className == "char" ? new MatChar(emptyDims, []) : className == "cell" ? new MatCell(emptyDims, []) : Numeric(className, emptyDims, [], path);
            }

            int[] dims = Dims(extent, path);
            if (type.Class == H5DataTypeClass.Compound)
            {
                return new MatUnsupported(dims, $"complex {className}", "complex numbers are not supported", "save the real part (real(x)) or the magnitude (abs(x)) instead.");
            }

            if (type.Class == H5DataTypeClass.Reference)
            {
                return Cell(dataset, dims, path, depth);
            }

            double[] stored = Numbers(dataset, type, extent, path);
            if (className == "char")
            {
                var walk = new ColumnMajorWalk(dims);
                var chars = new char[stored.Length];
                for (int i = 0; i < chars.Length; i++)
                {
                    chars[i] = (char)stored[walk.Offset];
                    walk.Advance();
                }

                int width = dims[^1];
                int rows = width == 0 ? 0 : chars.Length / width;
                return new MatChar(dims, [.. Enumerable.Range(0, rows).Select(r => new string(chars, r * width, width))]);
            }

            return Numeric(className, dims, stored, path);
        }

        private MatValue Numeric(string className, int[] dims, double[] columnMajor, string path)
        {
            DType type;
            try
            {
                type = MatV5Reader.SourceType(className);
            }
            catch (ArgumentOutOfRangeException)
            {
                return new MatUnsupported(dims, className, $"the MATLAB class '{className}' is not supported", "save numeric arrays, char, cells or structs.");
            }

            var values = new double[columnMajor.Length];
            ColumnMajorWalk.ToRowMajor(columnMajor, values, dims);
            return new MatNumeric(dims, className, new NdArray(dims, values, type));
        }

        private MatCell Cell(IH5Dataset dataset, int[] dims, string path, int depth)
        {
            RequireRoom(Hdf5(() => dataset.Space.Dimensions), 8, path);
            NativeObjectReference1[] references = Hdf5(() => dataset.Read<NativeObjectReference1[]>());
            if (references.Length != NdArray.CountElements(dims))
            {
                throw new InputException($"{source} is damaged: '{path}' has dimensions {NdArray.FormatShape(dims)} but holds {references.Length} references.", Hint);
            }

            var cells = new MatValue[references.Length];
            var walk = new ColumnMajorWalk(dims);
            for (int k = 0; k < references.Length; k++)
            {
                string cellPath = $"{path}{{{k + 1}}}";
                NativeObjectReference1 reference = references[k];
                cells[walk.CIndex(k)] = Value(Hdf5(() => file.Get(reference)), cellPath, depth + 1);
            }

            return new MatCell(dims, cells);
        }

        /// <summary>MATLAB's dimensions: the dataset's reversed (a 1-d dataset is a column, n×1).</summary>
        private int[] Dims(ulong[] extent, string path)
        {
            if (extent.Any(d => d > int.MaxValue))
            {
                throw new InputException($"{source} is damaged: '{path}' has dimensions [{string.Join(", ", extent)}].", Hint);
            }

            int[] dims = [.. extent.Reverse().Select(d => (int)d)];
            return dims.Length switch
            {
                0 => [1, 1],
                1 => [dims[0], 1],
                _ => dims,
            };
        }

        /// <summary>The dataset's values in its own (C) order, after checking that the file can hold them.</summary>
        private double[] Numbers(IH5Dataset dataset, IH5DataType type, ulong[] extent, string path)
        {
            RequireRoom(extent, type.Size, path);
            return Hdf5(() => Hdf5Numbers.Read(dataset, type)) ?? throw new InputException(
                $"{source} stores '{path}' as HDF5 {type.Class} of {type.Size} bytes, which is not a MATLAB array lowrank reads.",
                "save numeric arrays, char, cells or structs with save(path, 'x', '-v7.3'), or use '-v7'.");
        }

        /// <summary>Stored data cannot hold more bytes than the file; deflate, the densest filter, expands at most 1032-fold.</summary>
        private void RequireRoom(ulong[] extent, long size, string path)
        {
            double count = extent.Aggregate(1.0, (product, d) => product * d);
            if (count > Array.MaxLength || count * size > MaxDeflateRatio * (double)fileLength)
            {
                throw new InputException($"{source} claims {count} values of {size} bytes in '{path}', more than its {fileLength} bytes can hold.", Hint);
            }
        }

        private T Hdf5<T>(Func<T> read) => Nwb.Hdf5(source, read, Hint);
    }
}
