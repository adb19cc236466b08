#!/usr/bin/python3
"""Writes the small MATLAB fixtures the LowRank tests read (see PROVENANCE.md, "MAT files").

Run from this folder with Debian's SciPy and h5py:  /usr/bin/python3 make_mat_fixtures.py
The values are simple formulas or short literals so the C# tests (MatTests.cs) can recompute them.
"""
import os

import numpy as np
import scipy.io as sio

here = os.path.dirname(os.path.abspath(__file__))
mat = os.path.join(here, "mat")
os.makedirs(mat, exist_ok=True)


def path(name):
    return os.path.join(mat, name)


def sevenths(n):
    return np.arange(n, dtype=np.float64) / 7.0 - 1.0


# Every numeric class, logical, char, a 3-d array (column-major order matters) and an empty array.
# MATLAB's x(i, j, k) is C#'s array[i - 1, j - 1, k - 1]: the arrays below are given in C order.
numeric = {
    "d": sevenths(6).reshape(2, 3),
    "s": (np.arange(6, dtype=np.float32).reshape(2, 3) / 4 - 1),
    "i8": np.array([[-128, -1, 0, 127]], dtype=np.int8),
    "u8": np.array([[0, 1, 128, 255]], dtype=np.uint8),
    "i16": np.array([[-32768, -1, 0, 32767]], dtype=np.int16),
    "u16": np.array([[0, 1, 32768, 65535]], dtype=np.uint16),
    "i32": np.array([[-2147483648, -1, 0, 2147483647]], dtype=np.int32),
    "u32": np.array([[0, 1, 2147483648, 4294967295]], dtype=np.uint32),
    "i64": np.array([[-(10**15), -1, 0, 10**15]], dtype=np.int64),
    "u64": np.array([[0, 1, 2**40, 2**52]], dtype=np.uint64),
    "flags": np.array([[True, False], [False, True]]),
    "label": "hello",
    "rows": np.array(["ab", "cd"]),
    "cube": np.arange(24, dtype=np.float64).reshape(2, 3, 4),
    "column": sevenths(3).reshape(3, 1),
    "scalar": 3.25,
    "empty": np.zeros((0, 3)),
    "gappy": np.array([[1.0, np.nan, 3.0]]),
}
sio.savemat(path("v5_numeric.mat"), numeric, do_compression=False, oned_as="row")
sio.savemat(path("v5_numeric_compressed.mat"), numeric, do_compression=True, oned_as="row")

# Cells and structs: a 1x3 cell, a scalar struct with a nested struct, and a 1x3 struct array.
cell = np.empty((1, 3), dtype=object)
cell[0, 0] = 1.0
cell[0, 1] = "two"
cell[0, 2] = np.array([[3.0, 4.0]])
people = np.zeros((1, 3), dtype=[("name", object), ("age", object)])
for k, (name, age) in enumerate([("ann", 31), ("bo", 42), ("cy", 53)]):
    people[0, k] = (name, np.array([[age]], dtype=np.uint8))
containers = {
    "c": cell,
    "s": {"a": 1.5, "b": "text", "inner": {"v": np.array([[1.0, 2.0, 3.0]])}},
    "people": people,
}
sio.savemat(path("v5_cells_structs.mat"), containers, do_compression=True)

# What lowrank refuses: a complex and a sparse array (and a plain one beside them).
import scipy.sparse  # noqa: E402

sio.savemat(
    path("v5_unsupported.mat"),
    {
        "z": np.array([[1 + 2j, 3 - 4j]]),
        "sp": scipy.sparse.csc_matrix(np.array([[0.0, 1.0], [2.0, 0.0]])),
        "ok": np.array([[1.0, 2.0]]),
    },
    do_compression=False,
)

# MAT v7.3: HDF5 after a 512-byte MATLAB header, laid out as MATLAB's save -v7.3 lays it out
# (h5py; neither SciPy nor Octave writes v7.3): dimensions reversed, MATLAB_class on every
# variable, MATLAB_empty on empty arrays, a struct as a group, a cell as references into #refs#.
import h5py  # noqa: E402

v73 = path("v73.mat")
with h5py.File(v73, "w", userblock_size=512, libver="earliest") as f:

    def matlab_class(obj, name):
        obj.attrs.create("MATLAB_class", np.bytes_(name))

    def put(group, name, value, cls):
        ds = group.create_dataset(name, data=np.asarray(value).T)  # MATLAB writes dims reversed
        matlab_class(ds, cls)
        return ds

    put(f, "d", sevenths(6).reshape(2, 3), "double")
    put(f, "cube", np.arange(24, dtype=np.float64).reshape(2, 3, 4), "double")
    put(f, "i16", np.array([[-32768, -1, 0, 32767]], dtype=np.int16), "int16")
    put(f, "flags", np.array([[1, 0], [0, 1]], dtype=np.uint8), "logical")
    put(f, "label", np.array([[ord(ch) for ch in "hello"]], dtype=np.uint16), "char")
    empty = f.create_dataset("empty", data=np.array([0, 3], dtype=np.uint64))
    matlab_class(empty, "double")
    empty.attrs.create("MATLAB_empty", np.uint8(1))
    s = f.create_group("s")
    matlab_class(s, "struct")
    put(s, "a", np.array([[1.5]]), "double")
    inner = s.create_group("inner")
    matlab_class(inner, "struct")
    put(inner, "v", np.array([[1.0, 2.0, 3.0]]), "double")
    refs = f.create_group("#refs#")
    r1 = put(refs, "a", np.array([[1.0]]), "double")
    r2 = put(refs, "b", np.array([[ord(ch) for ch in "two"]], dtype=np.uint16), "char")
    c = f.create_dataset("c", data=np.array([[r1.ref], [r2.ref]], dtype=h5py.ref_dtype))  # MATLAB 1x2
    matlab_class(c, "cell")
    z = f.create_dataset("z", data=np.array([[(1.0, 2.0)]], dtype=[("real", "<f8"), ("imag", "<f8")]))
    matlab_class(z, "double")

header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Fri Dec  4 00:00:00 2026 HDF5 schema 1.00 ."
with open(v73, "r+b") as f:
    f.write(header.ljust(116, b" ") + b"\0" * 8 + b"\x00\x02" + b"IM")
