#!/usr/bin/python3
"""Writes the small NumPy fixtures the LowRank tests read (see PROVENANCE.md).

Run from this folder with Debian's NumPy:  /usr/bin/python3 make_fixtures.py
The values are simple formulas so the C# tests can recompute them.
"""
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
npy = os.path.join(here, "npy")
os.makedirs(npy, exist_ok=True)


def path(name):
    return os.path.join(npy, name)


# Readable dtypes, C order.
np.save(path("f4_2d.npy"), (np.arange(12, dtype=np.float32).reshape(3, 4) / 4 - 1))
np.save(path("f8_2d.npy"), np.arange(12, dtype=np.float64).reshape(3, 4) / 7.0 - 1.0)
np.save(path("i4_1d.npy"), np.array([-2147483648, -1, 0, 1, 2147483647], dtype=np.int32))
np.save(path("i8_2d.npy"), (np.arange(-3, 3, dtype=np.int64) * 10**12).reshape(2, 3))
np.save(path("u1_1d.npy"), np.array([0, 1, 127, 128, 255], dtype=np.uint8))
np.save(path("b1_1d.npy"), np.array([True, False, True]))
np.save(path("f8_3d.npy"), np.arange(24, dtype=np.float64).reshape(2, 3, 4))
np.save(path("f8_0d.npy"), np.array(3.25))
np.save(path("f8_empty.npy"), np.zeros((0, 3)))

# Fortran order: same values as f8_3d.npy / i4 2-d, stored column-major.
np.save(path("fortran_f8_3d.npy"), np.asfortranarray(np.arange(24, dtype=np.float64).reshape(2, 3, 4)))
np.save(path("fortran_i4_2d.npy"), np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)))

# Header versions 2.0 and 3.0 (np.save picks 1.0 for small headers).
for version in [(2, 0), (3, 0)]:
    with open(path("v%d_f8_2d.npy" % version[0]), "wb") as f:
        np.lib.format.write_array(f, np.arange(12, dtype=np.float64).reshape(3, 4) / 7.0 - 1.0, version=version)

# Dtypes LowRank rejects.
np.save(path("big_endian_f8.npy"), np.arange(3, dtype=">f8"))
np.save(path("complex_c16.npy"), np.arange(3) * (1 + 2j))
np.save(path("text_u5.npy"), np.array(["ab", "cdefg"]))
np.save(path("object.npy"), np.array([1, "a", None], dtype=object), allow_pickle=True)

# What our writer must reproduce byte for byte: k / 7 - 1 in C order.
w = np.arange(15, dtype=np.float64).reshape(5, 3) / 7.0 - 1.0
np.save(path("writer_f8_2d.npy"), w)
np.save(path("writer_f4_2d.npy"), w.astype(np.float32))
np.save(path("writer_f8_1d.npy"), np.arange(5, dtype=np.float64) / 7.0 - 1.0)
np.save(path("writer_f8_0d.npy"), np.array(2.5))
np.save(path("writer_f4_3d.npy"), (np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 7.0 - 1.0).astype(np.float32))

# Archives: a recording (trials x T x X samples, inputs, trial ids), stored and deflated.
npz = os.path.join(here, "npz")
os.makedirs(npz, exist_ok=True)
t = np.arange(2 * 50 * 3, dtype=np.float64).reshape(2, 50, 3)
data = np.sin(t / 10.0)
inputs = np.cos(np.arange(2 * 50, dtype=np.float64).reshape(2, 50, 1) / 5.0)
trial_ids = np.array([7, 9], dtype=np.int64)
np.savez(os.path.join(npz, "recording_stored.npz"), data=data, inputs=inputs, trial_ids=trial_ids)
np.savez_compressed(os.path.join(npz, "recording_compressed.npz"), data=data.astype(np.float32), inputs=inputs,
                    trial_ids=trial_ids)
np.savez(os.path.join(npz, "mixed_stored.npz"), scalar=np.array(1.5), ints=np.arange(4, dtype=np.int32),
         fortran=np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)))

# NWB 2.x-shaped HDF5 files (written with h5py, laid out as pynwb lays out a units table):
# spike times of all units concatenated, spike_times_index = end of each unit's run (uint8, the
# smallest type, as hdmf chooses it).
import h5py  # noqa: E402  (only needed for these files)

nwb = os.path.join(here, "nwb")
os.makedirs(nwb, exist_ok=True)


def write_nwb(name, with_units=True):
    with h5py.File(os.path.join(nwb, name), "w", track_order=True) as f:
        f.attrs["nwb_version"] = "2.7.0"
        f.attrs["neurodata_type"] = "NWBFile"
        f.attrs["namespace"] = "core"
        if not with_units:
            f.create_group("acquisition")
            return
        units = f.create_group("units")
        units.attrs["neurodata_type"] = "Units"
        units.attrs["namespace"] = "core"
        units.attrs["colnames"] = ["spike_times"]
        units.attrs["description"] = "three units; unit 11 never fires"
        units.create_dataset("id", data=np.array([10, 11, 12], dtype=np.int64), track_times=False)
        units.create_dataset("spike_times", data=np.array([0.0012, 0.0131, 0.0142, 0.0505, 0.0205, 0.0995]), track_times=False)
        units.create_dataset("spike_times_index", data=np.array([4, 4, 6], dtype=np.uint8), track_times=False)


write_nwb("units.nwb")
write_nwb("no_units.nwb", with_units=False)
