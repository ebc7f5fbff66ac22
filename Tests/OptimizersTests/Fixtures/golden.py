#!/usr/bin/env python3
"""Golden trajectories for the Optimizers tests, produced by the reference implementations.

    python3 -m venv /tmp/golden-venv
    /tmp/golden-venv/bin/pip install "torch==2.13.0+cpu" pytorch-optimizer==4.1.0 lion-pytorch==0.2.5 numpy
    /tmp/golden-venv/bin/python Tests/OptimizersTests/Fixtures/golden.py            # rewrites the fixtures
    /tmp/golden-venv/bin/python Tests/OptimizersTests/Fixtures/golden.py --seed-offset 1000 --out /tmp/unseen

References: torch.optim.SGD, AdamW (with and without amsgrad; and Adam for AdamW's weight-decay-0 case) and NAdam
(PyTorch 2.13 CPU), lion_pytorch.Lion (0.2.5),
pytorch_optimizer.Adan (4.1.0), and for S3 (no public implementation) an independent float64
transcription of Algorithm 1 of Peng et al. 2025 with the literal p-th moment.

Inputs are not stored: initial parameters and gradients come from SplitMix64 words turned into
float32 bit patterns (sign, exponent and mantissa drawn directly), which the Swift tests rebuild
bit for bit (Tests/OptimizersTests/Support/Golden.swift). Each case stores its hyperparameters,
its per-step learning rates, and the parameters after the recorded steps as base64 float32.
"""

import argparse
import base64
import json
import os
import struct

import numpy as np

MASK64 = (1 << 64) - 1
STEPS = 100


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)


# Gradient distributions: exponent range (powers of two) and the share of exact zeros (out of 4).
MODES = {
    "heavy": (-20, 10, 0),     # |g| in [1e-6, 2e3): heavy-tailed
    "sparse": (-20, 10, 2),    # half of the elements exactly zero, and every 10th step all zero
    "extreme": (-66, 66, 0),   # |g| in [1e-20, 1e20]: outside float32 range once raised to p
    "params": (-4, 0, 0),      # initial parameters
}


def draw(rng, mode):
    low, high, zero_share = MODES[mode]
    w = rng.next()
    if zero_share and (w >> 40) % 4 < zero_share:
        return 0.0
    exponent = (w >> 32) % (high - low + 1) + low
    bits = ((w >> 63) << 31) | ((exponent + 127) << 23) | (w & 0x7FFFFF)
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def inputs(seed, count, mode):
    rng = SplitMix64(seed)
    x0 = np.array([draw(rng, "params") for _ in range(count)], dtype=np.float32)
    grads = []
    for t in range(1, STEPS + 1):
        g = np.array([draw(rng, mode) for _ in range(count)], dtype=np.float32)
        if mode == "sparse" and t % 10 == 0:
            g[:] = 0
        grads.append(g)
    return x0, grads


def learning_rates(base, varying):
    """Per-step learning rates (float32 values); `varying` changes it at every step."""
    if not varying:
        return [float(np.float32(base))] * STEPS
    return [float(np.float32(base * (0.25 + 0.75 * ((t * 37) % 100) / 100))) for t in range(1, STEPS + 1)]


def f32(v):
    return float(np.float32(v))


# ---------------------------------------------------------------------------------------------
# Reference runners: each returns the parameters after every step (float32 arrays).

def run_torch(make, x0, grads, lrs):
    import torch
    p = torch.nn.Parameter(torch.tensor(x0, dtype=torch.float32))
    opt = make([p])
    out = []
    for g, lr in zip(grads, lrs):
        p.grad = torch.tensor(g, dtype=torch.float32)
        for group in opt.param_groups:
            group["lr"] = lr
        opt.step()
        out.append(p.detach().numpy().astype(np.float32).copy())
    return out


def reference(name, hp, flags, lr0):
    import torch
    import lion_pytorch
    import pytorch_optimizer

    if name == "SGDM":
        return lambda ps: torch.optim.SGD(ps, lr=lr0, momentum=hp["momentum"], dampening=hp["dampening"],
                                          weight_decay=hp["weightDecay"], nesterov=flags["nesterov"])
    if name == "Adam":  # AdamW with weight decay 0 must be Adam: checked against Adam itself
        return lambda ps: torch.optim.Adam(ps, lr=lr0, betas=(hp["beta1"], hp["beta2"]), eps=hp["epsilon"])
    if name == "AdamW":
        return lambda ps: torch.optim.AdamW(ps, lr=lr0, betas=(hp["beta1"], hp["beta2"]), eps=hp["epsilon"],
                                            weight_decay=hp["weightDecay"], amsgrad=flags["amsgrad"])
    if name == "NAdam":
        return lambda ps: torch.optim.NAdam(ps, lr=lr0, betas=(hp["beta1"], hp["beta2"]), eps=hp["epsilon"],
                                            weight_decay=hp["weightDecay"], momentum_decay=hp["momentumDecay"],
                                            decoupled_weight_decay=flags["decoupledWeightDecay"])
    if name == "Lion":
        return lambda ps: lion_pytorch.Lion(ps, lr=lr0, betas=(hp["beta1"], hp["beta2"]),
                                            weight_decay=hp["weightDecay"])
    if name == "Adan":
        return lambda ps: pytorch_optimizer.Adan(ps, lr=lr0, betas=(hp["beta1"], hp["beta2"], hp["beta3"]),
                                                 eps=hp["epsilon"], weight_decay=hp["weightDecay"],
                                                 weight_decouple=flags["decoupledWeightDecay"])
    raise ValueError(name)


def run_s3(hp, flags, x0, grads, lrs):
    """Algorithm 1 of the paper in float64, with the literal p-th moment s."""
    b1, b2, p, eps, wd = hp["beta1"], hp["beta2"], hp["p"], hp["epsilon"], hp["weightDecay"]
    x = x0.astype(np.float64)
    m = np.zeros_like(x)
    s = np.zeros_like(x)
    out = []
    for g32, lr in zip(grads, lrs):
        g = g32.astype(np.float64)
        gp = np.abs(g) ** p
        x = x * (1 - lr * wd)
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * gp
        if flags["nesterov"]:
            n = b1 * m + (1 - b1) * g
            b = (b2 * s + (1 - b2) * gp) ** (1 / p)
        else:
            n = m
            b = s ** (1 / p)
        x = x - lr * n / (b + eps)
        out.append(x.astype(np.float32))
    return out


# ---------------------------------------------------------------------------------------------
# The cases.

DEFAULTS = {
    "SGDM": ({"momentum": 0.9, "dampening": 0.0, "weightDecay": 0.0}, {"nesterov": False}, 1e-2),
    "AdamW": ({"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weightDecay": 0.01}, {"amsgrad": False}, 1e-3),
    "NAdam": ({"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weightDecay": 0.0, "momentumDecay": 4e-3},
              {"decoupledWeightDecay": False}, 2e-3),
    "Lion": ({"beta1": 0.9, "beta2": 0.99, "weightDecay": 0.0}, {}, 1e-4),
    "Adan": ({"beta1": 0.98, "beta2": 0.92, "beta3": 0.99, "epsilon": 1e-8, "weightDecay": 0.02},
             {"decoupledWeightDecay": False}, 1e-3),
    "S3": ({"beta1": 0.95, "beta2": 0.95, "p": 3.0, "epsilon": 1e-8, "weightDecay": 0.0}, {"nesterov": True}, 3e-3),
}

# Every hyperparameter away from its default.
AWAY = {
    "SGDM": {"momentum": 0.8, "dampening": 0.25, "weightDecay": 0.05},
    "AdamW": {"beta1": 0.8, "beta2": 0.95, "epsilon": 1e-6, "weightDecay": 0.1},
    "NAdam": {"beta1": 0.85, "beta2": 0.99, "epsilon": 1e-6, "weightDecay": 0.05, "momentumDecay": 1e-2},
    "Lion": {"beta1": 0.8, "beta2": 0.95, "weightDecay": 0.5},
    "Adan": {"beta1": 0.9, "beta2": 0.85, "beta3": 0.95, "epsilon": 1e-6, "weightDecay": 0.1},
    "S3": {"beta1": 0.9, "beta2": 0.9, "p": 2.0, "epsilon": 1e-6, "weightDecay": 0.1},
}

# Options switched away from their default (a case each).
OPTIONS = {
    "SGDM": [("nesterov", {"dampening": 0.0}, {"nesterov": True}),
             ("plain", {"momentum": 0.0}, {}),
             ("dampened", {"dampening": 0.5}, {})],
    "AdamW": [("adam", {"weightDecay": 0.0}, {}),
              ("amsgrad", {}, {"amsgrad": True}),
              ("amsgrad-away", {"beta1": 0.8, "beta2": 0.95, "epsilon": 1e-6, "weightDecay": 0.1}, {"amsgrad": True}),
              ("amsgrad-sparse", {}, {"amsgrad": True}, "sparse")],
    "NAdam": [("decoupled", {"weightDecay": 0.05}, {"decoupledWeightDecay": True})],
    "Lion": [("signSGD", {"beta1": 0.0, "beta2": 0.0}, {})],
    "Adan": [("decoupled", {"weightDecay": 0.05}, {"decoupledWeightDecay": True})],
    "S3": [("p1", {"p": 1.0}, {}), ("p2", {"p": 2.0}, {}), ("p4", {"p": 4.0}, {}), ("p8", {"p": 8.0}, {}),
           ("p2.5", {"p": 2.5}, {}),
           ("no-nesterov", {}, {"nesterov": False}),
           ("separate-betas", {"beta1": 0.9, "beta2": 0.99}, {}),
           ("separate-betas-no-nesterov-p2", {"beta1": 0.9, "beta2": 0.999, "p": 2.0}, {"nesterov": False}),
           ("extreme-p8", {"p": 8.0}, {}, "extreme"),
           ("extreme-p4", {"p": 4.0, "weightDecay": 0.01}, {}, "extreme"),
           ("extreme-p2.5", {"p": 2.5}, {}, "extreme"),
           ("extreme-p1", {"p": 1.0}, {}, "extreme")],
}


def cases_for(name):
    hp0, flags0, lr0 = DEFAULTS[name]
    cases = [
        ("defaults-n1", {}, {}, 1, "heavy", False),
        ("defaults-n7", {}, {}, 7, "heavy", True),
        ("defaults-n8", {}, {}, 8, "heavy", True),
        ("defaults-n9", {}, {}, 9, "heavy", True),
        ("defaults-n15", {}, {}, 15, "heavy", True),
        ("defaults-n16", {}, {}, 16, "heavy", True),
        ("zeros-n17", {}, {}, 17, "sparse", True),
        ("away-n9", AWAY[name], {}, 9, "heavy", True),
        ("large-n300", {}, {}, 300, "heavy", True),
    ]
    for option in OPTIONS[name]:
        label, hp, flags = option[:3]
        mode = option[3] if len(option) > 3 else "heavy"
        cases.append((label + "-n9", hp, flags, 9, mode, True))
    for label, hp, flags, count, mode, varying in cases:
        yield label, {**hp0, **hp}, {**flags0, **flags}, lr0, count, mode, varying


def recorded_steps(count):
    if count <= 32:
        return list(range(1, STEPS + 1))
    return list(range(1, 11)) + list(range(20, STEPS + 1, 10))


def build(name, seed_offset):
    cases = []
    for index, (label, hp, flags, lr0, count, mode, varying) in enumerate(cases_for(name)):
        hp = {k: f32(v) for k, v in hp.items()}
        lr0 = f32(lr0)
        seed = 1_000_003 * (sorted(DEFAULTS).index(name) + 1) + 7919 * index + seed_offset
        x0, grads = inputs(seed, count, mode)
        lrs = learning_rates(lr0, varying)
        reference_name = "Adam" if label.startswith("adam-") else name
        if name == "S3":
            trajectory = run_s3(hp, flags, x0, grads, lrs)
        else:
            trajectory = run_torch(reference(reference_name, hp, flags, lr0), x0, grads, lrs)
        steps = recorded_steps(count)
        data = np.concatenate([trajectory[t - 1] for t in steps]).astype("<f4").tobytes()
        cases.append({
            "name": label, "reference": reference_name, "seed": seed, "count": count, "gradients": mode,
            "hyperparameters": hp, "flags": flags, "learningRates": lrs,
            "recordedSteps": steps, "trajectory": base64.b64encode(data).decode("ascii"),
        })
    return cases


REFERENCES = {
    "SGDM": "torch.optim.SGD (PyTorch {torch})",
    "AdamW": "torch.optim.AdamW (PyTorch {torch})",
    "NAdam": "torch.optim.NAdam (PyTorch {torch})",
    "Lion": "lion_pytorch.Lion ({lion})",
    "Adan": "pytorch_optimizer.Adan ({po})",
    "S3": "float64 transcription of Algorithm 1 (Peng et al. 2025), numpy {np}",
}


def main():
    import torch
    from importlib.metadata import version
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed-offset", type=int, default=0, help="draw different inputs (unseen cases)")
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = parser.parse_args()
    torch.set_num_threads(1)
    versions = {"torch": torch.__version__, "lion": version("lion-pytorch"), "po": version("pytorch-optimizer"),
                "np": np.__version__}
    os.makedirs(args.out, exist_ok=True)
    for name in DEFAULTS:
        doc = {"optimizer": name, "reference": REFERENCES[name].format(**versions), "steps": STEPS,
               "cases": build(name, args.seed_offset)}
        path = os.path.join(args.out, f"{name}.json")
        with open(path, "w") as f:
            json.dump(doc, f, separators=(",", ":"))
        print(f"{path}: {len(doc['cases'])} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
