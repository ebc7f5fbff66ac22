#!/usr/bin/env python3
"""Swift optimizers and PyTorch's CPU implementations, side by side in one run.

    python3 -m venv /tmp/bench-venv
    /tmp/bench-venv/bin/pip install "torch==2.13.0+cpu" pytorch-optimizer==4.1.0 lion-pytorch==0.2.5
    cd Benchmarks && /tmp/bench-venv/bin/python compare_pytorch.py [--sizes 1024,65536,16777216] [--threads 1,2] [--rounds 3]

Builds the Swift `throughput` benchmark (which measures each optimizer against a streaming loop
that moves the same bytes) and, for every optimizer, size and thread count, alternates it with
PyTorch 2.13's implementations of the same optimizer: every implementation PyTorch has (fused,
foreach, single-tensor), keeping the fastest. The pair is measured `--rounds` times in a row and
the table reports the medians, so that the ratio compares measurements taken seconds apart (the
shared host's memory bandwidth drifts by tens of percent within minutes). S3 has no PyTorch
implementation; it is compared with PyTorch's fused AdamW, the bar the library sets for it.
Prints a markdown table of G params/s (parameters updated per second) and ratios. With
`--sizes 16777216` a run took 12.5 minutes here; the small sizes take longer, because PyTorch's
per-step overhead is timed over thousands of steps per sample.
"""

import argparse
import json
import os
import statistics
import subprocess
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def pytorch_implementations(name):
    import lion_pytorch
    import pytorch_optimizer

    if name.startswith("S3"):
        return {"AdamW fused": pytorch_implementations("AdamW")["AdamW fused"]}

    if name == "SGDM":
        return {f"SGD {k}": (lambda ps, k=k: torch.optim.SGD(ps, lr=1e-3, momentum=0.9, **{k: True} if k != "single" else {"foreach": False}))
                for k in ("fused", "foreach", "single")}
    if name == "AdamW":
        return {f"AdamW {k}": (lambda ps, k=k: torch.optim.AdamW(ps, lr=1e-3, **{k: True} if k != "single" else {"foreach": False}))
                for k in ("fused", "foreach", "single")}
    if name == "NAdam":
        return {f"NAdam {k}": (lambda ps, k=k: torch.optim.NAdam(ps, lr=1e-3, foreach=(k == "foreach")))
                for k in ("foreach", "single")}
    if name == "Lion":
        return {"lion-pytorch": lambda ps: lion_pytorch.Lion(ps, lr=1e-4)}
    if name == "Adan":
        return {f"Adan {k}": (lambda ps, k=k: pytorch_optimizer.Adan(ps, lr=1e-3, weight_decay=0.02, foreach=(k == "foreach")))
                for k in ("foreach", "single")}
    raise ValueError(name)


def time_pytorch(make, size, repeats, samples):
    p = torch.nn.Parameter(torch.zeros(size))
    p.grad = torch.randn(size)
    opt = make([p])
    opt.step()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(repeats):
            opt.step()
        times.append((time.perf_counter() - start) / repeats)
    return statistics.median(times)


def time_swift(binary, name, size, threads):
    """The Swift rows (check on, check off) for one optimizer, size and thread count."""
    output = subprocess.run([binary, "--sizes", str(size), "--threads", str(threads), "--only", name],
                            cwd=HERE, check=True, capture_output=True, text=True).stdout
    rows = {row["check"]: row for row in map(json.loads, filter(lambda l: l.startswith("{"), output.splitlines()))}
    return rows[True], rows[False]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1024,65536,16777216")
    parser.add_argument("--threads", default=f"1,{os.cpu_count()}")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    thread_counts = sorted({int(t) for t in args.threads.split(",")})

    subprocess.run(["swift", "build", "-c", "release", "--product", "throughput"], cwd=HERE, check=True)
    binary = os.path.join(HERE, ".build", "release", "throughput")
    names = ["SGDM", "AdamW", "NAdam", "Lion", "Adan", "S3 p=1", "S3 p=2", "S3 p=3", "S3 p=4", "S3 p=2.5"]

    print(f"\nPyTorch {torch.__version__}, {os.cpu_count()} cores; G params/s = parameters updated per second / 1e9;")
    print(f"medians of {args.rounds} rounds, each timing Swift and then PyTorch. Swift: default build, non-finite")
    print("check on (off in parentheses); roofline: a streaming loop moving the same bytes, measured")
    print("alternately with each optimizer.\n")
    print("| optimizer | threads | size | Swift | of roofline | Swift, no check | PyTorch (fastest) | Swift / PyTorch |")
    print("|---|---|---|---|---|---|---|---|")
    for threads in thread_counts:
        torch.set_num_threads(threads)
        for size in sizes:
            repeats = max(1, 4_000_000 // size)
            samples = 11 if size >= 1 << 22 else 21
            for name in names:
                implementations = pytorch_implementations(name)
                rounds = []
                for _ in range(args.rounds):
                    on, off = time_swift(binary, name, size, threads)
                    label, rate = max(((label, size / time_pytorch(make, size, repeats, samples) / 1e9)
                                       for label, make in implementations.items()), key=lambda item: item[1])
                    rounds.append((on, off, label, rate))
                median = statistics.median
                label = statistics.mode(r[2] for r in rounds)
                print(f"| {name} | {threads} | {size} | {median(r[0]['gparams'] for r in rounds):.3f} "
                      f"| {100 * median(r[0]['ofRoofline'] for r in rounds):.0f}% "
                      f"| {median(r[1]['gparams'] for r in rounds):.3f} ({100 * median(r[1]['ofRoofline'] for r in rounds):.0f}%) "
                      f"| {median(r[3] for r in rounds):.3f} ({label}) "
                      f"| {median(r[0]['gparams'] / r[3] for r in rounds):.2f}x |", flush=True)


if __name__ == "__main__":
    main()
