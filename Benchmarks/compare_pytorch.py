#!/usr/bin/env python3
"""Swift optimizers and PyTorch's CPU implementations, side by side in one run.

    python3 -m venv /tmp/bench-venv
    /tmp/bench-venv/bin/pip install "torch==2.13.0+cpu" pytorch-optimizer==4.1.0 lion-pytorch==0.2.5
    cd Benchmarks && /tmp/bench-venv/bin/python compare_pytorch.py [--sizes 1024,65536,16777216] [--threads 1,2]

Builds and runs the Swift `throughput` benchmark (which measures each optimizer against a
streaming loop that moves the same bytes), then times PyTorch 2.13's implementations of the same
optimizers on the same sizes and thread counts: every implementation it has (fused, foreach,
single-tensor), keeping the fastest. S3 has no PyTorch implementation; it is compared with
PyTorch's fused AdamW, the bar the library sets for it. Prints a markdown table of G params/s
(parameters updated per second) and ratios.
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1024,65536,16777216")
    parser.add_argument("--threads", default=f"1,{os.cpu_count()}")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    thread_counts = sorted({int(t) for t in args.threads.split(",")})

    subprocess.run(["swift", "build", "-c", "release", "--product", "throughput"], cwd=HERE, check=True)
    binary = os.path.join(HERE, ".build", "release", "throughput")
    output = subprocess.run([binary, "--sizes", args.sizes, "--threads", ",".join(map(str, thread_counts))],
                            cwd=HERE, check=True, capture_output=True, text=True).stdout
    swift = {}
    for line in output.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            swift[(row["optimizer"], row["size"], row["threads"], row["check"])] = row

    pytorch = {}
    for threads in thread_counts:
        torch.set_num_threads(threads)
        for size in sizes:
            repeats = max(1, 4_000_000 // size)
            samples = 11 if size >= 1 << 22 else 21
            for name in ("SGDM", "AdamW", "NAdam", "Lion", "Adan"):
                for label, make in pytorch_implementations(name).items():
                    seconds = time_pytorch(make, size, repeats, samples)
                    pytorch[(label, size, threads)] = size / seconds / 1e9

    print(f"\nPyTorch {torch.__version__}, {os.cpu_count()} cores; G params/s = parameters updated per second / 1e9.")
    print("Swift: default build, non-finite check on (off in parentheses); roofline: a streaming loop")
    print("moving the same bytes, measured alternately with each optimizer in the same run.\n")
    print("| optimizer | threads | size | Swift | of roofline | Swift, no check | PyTorch (fastest) | Swift / PyTorch |")
    print("|---|---|---|---|---|---|---|---|")
    names = ["SGDM", "AdamW", "NAdam", "Lion", "Adan", "S3 p=1", "S3 p=2", "S3 p=3", "S3 p=4", "S3 p=2.5"]
    for threads in thread_counts:
        for size in sizes:
            for name in names:
                on, off = swift.get((name, size, threads, True)), swift.get((name, size, threads, False))
                if on is None:
                    continue
                if name.startswith("S3"):
                    label, rate = "AdamW fused", pytorch[("AdamW fused", size, threads)]
                else:
                    label, rate = max(((l, r) for (l, s, t), r in pytorch.items()
                                       if s == size and t == threads and l in pytorch_implementations(name)),
                                      key=lambda item: item[1])
                print(f"| {name} | {threads} | {size} | {on['gparams']:.3f} | {100 * on['ofRoofline']:.0f}% "
                      f"| {off['gparams']:.3f} ({100 * off['ofRoofline']:.0f}%) | {rate:.3f} ({label}) "
                      f"| {on['gparams'] / rate:.2f}x |")


if __name__ == "__main__":
    main()
