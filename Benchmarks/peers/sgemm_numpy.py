#!/usr/bin/env python3
"""Single-thread NumPy (OpenBLAS) sgemm at the sentence encoder's shapes: the peer of the GEMM
figures in `engram bench encode`.

Each shape m×k×n times C = A·Wᵀ with float32 A (m × k) and W (n × k), as a linear layer computes
it, best of 5 repeats of about 0.2 s. Run from the repository root:

    python3 Benchmarks/peers/sgemm_numpy.py [--json]

NumPy is the only dependency; BLAS threads are pinned to 1 before it is imported.
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse
import json
import time

import numpy as np

SHAPES = [(128, 384, 1152), (128, 384, 384), (128, 384, 1536), (128, 1536, 384)]


def gflops(m: int, k: int, n: int, seconds: float = 0.2, repeats: int = 5) -> float:
    rng = np.random.default_rng(0)
    a = (rng.random((m, k), dtype=np.float32) - 0.5).astype(np.float32)
    w = (rng.random((n, k), dtype=np.float32) - 0.5).astype(np.float32)
    a @ w.T  # warm-up
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < seconds / 4:
        a @ w.T
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    calls = max(3, int(seconds / per_call))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            a @ w.T
        best = min(best, (time.perf_counter() - start) / calls)
    return 2.0 * m * n * k / best / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    results = {f"{m}x{k}x{n}": gflops(m, k, n) for m, k, n in SHAPES}
    if args.json:
        print(json.dumps({"numpy_version": np.__version__, "gemm_gflops": results}, indent=2))
    else:
        for shape, value in results.items():
            print(f"numpy sgemm {shape}: {value:.1f} GFLOP/s (one thread)")


if __name__ == "__main__":
    main()
