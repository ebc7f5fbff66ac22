#!/usr/bin/env python3
"""Swift optimizers at every instruction-set level and PyTorch's CPU implementations, side by side in one run.

    python3 -m venv /tmp/bench-venv
    /tmp/bench-venv/bin/pip install "torch==2.13.0+cpu" pytorch-optimizer==4.1.0 lion-pytorch==0.2.5
    cd Benchmarks && /tmp/bench-venv/bin/python compare_pytorch.py [--sizes 16777216] [--threads 1,2] [--rounds 3]

Builds the Swift `throughput` tool and, for every optimizer, size and thread count, alternates it
at each instruction-set level the machine runs (`OPTIMIZERS_ISA=baseline|avx2|avx512`, with and
without the non-finite gradient check) with PyTorch 2.13's implementations of the same optimizer:
every implementation PyTorch has (fused, foreach, single-tensor), keeping the fastest. One round
measures all of them seconds apart; the table reports the medians of `--rounds` rounds, so every
ratio compares measurements made close together (the shared host's memory bandwidth drifts by tens
of percent within minutes). S3 has no PyTorch implementation; it is compared with PyTorch's fused
AdamW, the bar this library sets for it. With the defaults a run takes about 10 minutes here.
"""

import argparse
import json
import os
import statistics
import subprocess
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = ["SGDM", "AdamW", "AdamW amsgrad", "NAdam", "Lion", "Adan", "S3 p=1", "S3 p=2", "S3 p=3", "S3 p=4", "S3 p=2.5"]


def pytorch_implementations(name):
    import lion_pytorch
    import pytorch_optimizer

    def variants(make, kinds):
        return {f"{k}": (lambda ps, k=k: make(ps, **({k: True} if k in ("fused", "foreach") else {"foreach": False})))
                for k in kinds}

    if name.startswith("S3"):
        return {"AdamW fused": lambda ps: torch.optim.AdamW(ps, lr=1e-3, fused=True)}
    if name == "SGDM":
        return variants(lambda ps, **k: torch.optim.SGD(ps, lr=1e-3, momentum=0.9, **k), ("fused", "foreach", "single"))
    if name == "AdamW":
        return variants(lambda ps, **k: torch.optim.AdamW(ps, lr=1e-3, **k), ("fused", "foreach", "single"))
    if name == "AdamW amsgrad":
        return variants(lambda ps, **k: torch.optim.AdamW(ps, lr=1e-3, amsgrad=True, **k), ("fused", "foreach", "single"))
    if name == "NAdam":
        return variants(lambda ps, **k: torch.optim.NAdam(ps, lr=1e-3, **k), ("foreach", "single"))
    if name == "Lion":
        return {"lion-pytorch": lambda ps: lion_pytorch.Lion(ps, lr=1e-4)}
    if name == "Adan":
        return {f"{k}": (lambda ps, k=k: pytorch_optimizer.Adan(ps, lr=1e-3, weight_decay=0.02, foreach=(k == "foreach")))
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


def time_swift(binary, level, name, size, threads):
    """The Swift rows (check on, check off) for one optimizer, size, thread count and level."""
    environment = dict(os.environ, OPTIMIZERS_ISA=level)
    output = subprocess.run([binary, "--sizes", str(size), "--threads", str(threads), "--only", f"{name},{name} (no check)"],
                            cwd=HERE, env=environment, check=True, capture_output=True, text=True).stdout
    rows = {row["workload"]: row for row in map(json.loads, filter(lambda l: l.startswith("{"), output.splitlines()))}
    assert all(row["level"] == level for row in rows.values()), f"{level} was not honoured"
    return rows[name], rows[name + " (no check)"]


def available_levels(binary):
    output = subprocess.run([binary, "--sizes", "16", "--threads", "1", "--only", "FlatTensor.zero"], cwd=HERE, check=True,
                            capture_output=True, text=True).stdout
    line = next(l for l in output.splitlines() if l.startswith("instruction set:"))
    return json.loads(line.split("available: ")[1].replace("\"", "\""))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="16777216")
    parser.add_argument("--threads", default=f"1,{os.cpu_count()}")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default=None, help="comma-separated optimizer names")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    thread_counts = sorted({int(t) for t in args.threads.split(",")})
    names = args.only.split(",") if args.only else NAMES

    subprocess.run(["swift", "build", "-c", "release", "--product", "throughput"], cwd=HERE, check=True)
    binary = os.path.join(HERE, ".build", "release", "throughput")
    levels = available_levels(binary)

    print(f"\nPyTorch {torch.__version__} (CPU capability {torch.backends.cpu.get_cpu_capability()}), {os.cpu_count()} cores; "
          f"levels measured: {', '.join(levels)}.")
    print("G params/s = parameters updated per second / 1e9; medians of "
          f"{args.rounds} rounds, each timing every level and then PyTorch. Swift: gradient check off, and in")
    print("parentheses on (the default); \"of roofline\": the best level against a streaming loop built for that level and")
    print("moving the same bytes, check off; the ratio divides the best level, check off, by PyTorch's fastest.\n")
    print("| optimizer | threads | size | " + " | ".join(levels) + " | of roofline | PyTorch (fastest) | Swift / PyTorch |")
    print("|---|---|---|" + "---|" * len(levels) + "---|---|---|")
    for threads in thread_counts:
        torch.set_num_threads(threads)
        for size in sizes:
            repeats = max(1, 4_000_000 // size)
            samples = 11 if size >= 1 << 22 else 21
            for name in names:
                implementations = pytorch_implementations(name)
                rounds = []
                for _ in range(args.rounds):
                    swift = {level: time_swift(binary, level, name, size, threads) for level in levels}
                    label, rate = max(((label, size / time_pytorch(make, size, repeats, samples) / 1e9)
                                       for label, make in implementations.items()), key=lambda item: item[1])
                    rounds.append((swift, label, rate))
                median = statistics.median
                label = statistics.mode(r[1] for r in rounds)
                cells = []
                for level in levels:
                    off = median(r[0][level][1]["gparams"] for r in rounds)
                    on = median(r[0][level][0]["gparams"] for r in rounds)
                    cells.append(f"{off:.3f} ({on:.3f})")
                best = max(levels, key=lambda level: median(r[0][level][1]["gparams"] for r in rounds))
                roofline = median(r[0][best][1]["ofRoofline"] for r in rounds)
                ratio = median(r[0][best][1]["gparams"] / r[2] for r in rounds)
                print(f"| {name} | {threads} | {size} | " + " | ".join(cells) +
                      f" | {100 * roofline:.0f}% ({best}) | {median(r[2] for r in rounds):.3f} ({label}) | {ratio:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
