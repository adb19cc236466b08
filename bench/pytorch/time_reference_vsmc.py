#!/usr/bin/env python3
"""Times one training iteration of the published VSMC code (PyTorch) on this machine's CPU cores.

The baseline of `lowrank bench vsmc`: run it on the same machine, back to back, and divide. It imports the
published package from a checkout of its repository (mackelab/smc_rnns: vi_rnn/ only; nothing of it is in this
project) and repeats what its training loop does per batch: zero the gradients, run the filter with the preset's
proposal, backpropagate the negative objective, take a RAdam step. Windows are drawn as its dataset draws them.

    /usr/bin/python3 bench/pytorch/time_reference_vsmc.py --repo CHECKOUT --preset eeg \
        --data ../shared/data/eeg/EEG_data_zscored.npy --threads 2 --iterations 50

Needs numpy and torch (Debian: python3-numpy, python3-torch). Prints one JSON line with the same keys as
`lowrank bench vsmc --json`.
"""
import argparse
import json
import os
import sys

import numpy as np

from timing import time_calls


def presets(dim_x):
    """The EEG script's and the hippocampus sweep's configurations (train_scripts/eeg, train_scripts/hpc)."""
    eeg = dict(
        rnn=dict(train_noise_x=True, train_noise_z=True, train_noise_z_t0=True, init_noise_z=0.1, init_noise_z_t0=1,
                 init_noise_x=0.1, noise_z="full", noise_x="diag", noise_z_t0="full", transition="low_rank",
                 activation="clipped_relu", decay=0.9, train_neuron_bias=True, weight_dist="uniform",
                 initial_state="trainable", simulate_input=False, observation="affine", readout_from="z",
                 train_obs_bias=True, train_obs_weights=True, obs_nonlinearity="identity", obs_likelihood="Gauss"),
        vae=dict(dim_x=dim_x, dim_z=3, dim_N=512),
        batch=10, steps=50, particles=10, inference="optimal")
    hippocampus = dict(
        rnn=dict(transition="low_rank", observation="affine", train_noise_z=True, train_noise_z_t0=True,
                 init_noise_z=0.1, init_noise_z_t0=0.1, noise_z="diag", noise_z_t0="diag", identity_readout=False,
                 activation="clipped_relu", decay=0.9, readout_from="z", train_obs_bias=True, train_obs_weights=True,
                 train_neuron_bias=True, weight_dist="uniform", initial_state="trainable", obs_nonlinearity="softplus",
                 obs_likelihood="Poisson", simulate_input=False),
        vae=dict(dim_x=dim_x, dim_z=4, dim_N=512, enc_architecture="CNN",
                 enc_params=dict(init_kernel_sizes=[25, 11, 1], padding_mode="constant", nonlinearity="gelu",
                                 n_channels=[128, 64], init_scale=0.1, constant_var=False, padding_location="causal")),
        batch=64, steps=100, particles=64, inference="encoder")
    return dict(eeg=eeg, hippocampus=hippocampus)


def load(path):
    """[X, T] float32: an .npy of [T, X] or [X, T] (the longer axis is time), or an .npz with `data` [T, X]."""
    array = np.load(path)
    if path.endswith(".npz"):
        array = array["data"]
    if array.shape[0] > array.shape[1]:
        array = array.T
    return np.ascontiguousarray(array, dtype=np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", required=True, help="checkout of the published repository (needs vi_rnn/)")
    parser.add_argument("--preset", choices=["eeg", "hippocampus"], default="eeg")
    parser.add_argument("--data", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    if not os.path.isdir(os.path.join(args.repo, "vi_rnn")):
        parser.error(f"{args.repo} has no vi_rnn/ folder; pass a checkout of mackelab/smc_rnns with --repo")
    sys.path.insert(0, args.repo)
    sys.path.insert(0, os.path.join(args.repo, "vi_rnn"))
    import torch
    from vi_rnn.vae import VAE
    from vi_rnn.inference import filtering_posterior, filtering_posterior_optimal_proposal

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    data = torch.from_numpy(load(args.data))
    preset = presets(data.shape[0])[args.preset]
    vae = VAE(dict(preset["vae"], rnn_params=preset["rnn"]))
    optimizer = torch.optim.RAdam(vae.parameters(), lr=1e-3)
    inference = filtering_posterior_optimal_proposal if preset["inference"] == "optimal" else filtering_posterior
    steps, batch = preset["steps"], preset["batch"]
    stim = torch.zeros(batch, 0, steps)

    def iteration():
        starts = torch.randint(0, data.shape[1] - steps, (batch,))
        windows = torch.stack([data[:, s:s + steps] for s in starts.tolist()])
        optimizer.zero_grad()
        objective, _, _ = inference(vae, windows, stim, preset["particles"], "systematic", 0)
        (-objective.mean()).backward()
        optimizer.step()

    median, mean, cpu = time_calls(iteration, args.warmup, args.iterations)
    print(json.dumps(dict(ms_per_iteration=median, threads=args.threads, mean_ms_per_iteration=mean, cpu_ms_per_iteration=cpu,
                          iterations=args.iterations, torch=torch.__version__)))


if __name__ == "__main__":
    main()
