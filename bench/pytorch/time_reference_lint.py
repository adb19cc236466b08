#!/usr/bin/env python3
"""Times one BPTT training step of the published LINT code (PyTorch) on this machine's CPU cores.

The baseline of `lowrank bench lint`: run it on the same machine, back to back, and divide. It imports the
published package from a checkout of its repository (adrian-valente/lowrank_inference: low_rank_rnns/ only;
nothing of it is in this project) and repeats what its `train` does per batch when a rank-R network is fitted to a
teacher's rates (training_scripts/rdm_fr_fitlr.py): a LowRankRNN with N outputs read out through the identity
(wo = N·I, trainable input weights, no noise), the masked mean squared error, backward through time, gradient
norm clipped at 1, an Adam step. Inputs and targets are random of the benchmark's shape (B trials of T steps,
U = 4 inputs as in the context-dependent integration task): the work per step does not depend on their values.

    /usr/bin/python3 bench/pytorch/time_reference_lint.py --repo CHECKOUT --threads 2 --iterations 50

Needs numpy, torch, matplotlib and seaborn (imported by the package). Prints one JSON line with the keys of
`lowrank bench lint --json`.
"""
import argparse
import json
import os
import sys

from timing import time_calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", required=True, help="checkout of the published repository (needs low_rank_rnns/)")
    parser.add_argument("--units", type=int, default=512)
    parser.add_argument("--rank", type=int, default=1)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=68)
    parser.add_argument("--inputs", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    if not os.path.isdir(os.path.join(args.repo, "low_rank_rnns")):
        parser.error(f"{args.repo} has no low_rank_rnns/ folder; pass a checkout of adrian-valente/lowrank_inference with --repo")
    sys.path.insert(0, args.repo)
    import torch
    from low_rank_rnns.modules import LowRankRNN, loss_mse

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    n, b, t = args.units, args.batch, args.steps
    net = LowRankRNN(args.inputs, n, n, 0, 0.2, rank=args.rank, wo_init=n * torch.eye(n), train_wi=True)
    inputs = torch.randn(b, t, args.inputs)
    target = torch.tanh(torch.randn(b, t, n))
    mask = torch.ones(b, t, 1)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)

    def step():
        optimizer.zero_grad()
        loss = loss_mse(net(inputs), target, mask)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        optimizer.step()

    median, mean, cpu = time_calls(step, args.warmup, args.iterations)
    print(json.dumps(dict(ms_per_step=median, mean_ms_per_step=mean, cpu_ms_per_step=cpu, units=n, rank=args.rank, batch=b, steps=t, threads=args.threads,
                          iterations=args.iterations, torch=torch.__version__)))


if __name__ == "__main__":
    main()
