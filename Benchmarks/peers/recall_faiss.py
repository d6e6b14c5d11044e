#!/usr/bin/env python3
"""faiss and hnswlib peer benchmark for ``engram bench scale``.

``engram bench scale --peer`` writes, for each size N, the stored vectors and
the queries it measured as ``.npy`` files (float32, rows of dimension 384,
already at unit length) into one directory, with a ``manifest.json``, and then
runs this script, which times the two peers on exactly those vectors and
queries and prints one JSON object. Run by hand: ``python3 recall_faiss.py
--dir DIR`` (default: ``engram-bench-scale`` in ``tempfile.gettempdir()``,
where the Swift command writes).

Files per size N: ``base-N.npy`` (N x d, the stored items, ids 0..N-1),
``query-N.npy`` (the measured queries), ``tune-N.npy`` (the tuning queries,
used only to choose hnswlib's ef). ``manifest.json`` holds ``sizes, k,
exact_queries, target_recall``.

Measurements (one thread: ``faiss.omp_set_num_threads(1)`` and hnswlib's
``set_num_threads(1)``; every query is one ``search`` / ``knn_query`` call of
one row, after 20 warm-up calls; p50 and p99 are nearest-rank percentiles)
    * faiss ``IndexFlatIP`` (exact inner product = cosine on unit vectors):
      build (``add``) time, and the latency of the first ``exact_queries``
      measured queries (the ones Engram's exact mode is timed on). Its results
      for every query (found in one batched call) are the ground truth for
      hnswlib's recall.
    * hnswlib ``Index(space="ip")`` with M = 16, ef_construction = 200, built
      with ``add_items`` on one thread. ef is the smallest of 10, 16, 24, 32,
      48, 64, 96, 128, 192, 256, 384, 512 whose recall@10 on the tuning queries
      reaches ``target_recall`` (0.95); recall@10 and latency are then measured
      on the measured queries with that ef. Sizes above ``--hnsw-max-size``
      (default 100,000) are skipped: one-thread construction at M = 16,
      ef_construction = 200 takes several minutes at 1M vectors of dimension 384
      on the 2-core development machine.

Output (``--json`` or not, the same object): ``faiss_version,
hnswlib_version, numpy_version, threads``, and ``sizes``: for each N (as a
string), ``flat_add_s, flat_p50_ms, flat_p99_ms, flat_queries`` and, where
hnswlib ran, ``hnsw_build_s, hnsw_ef, hnsw_tuning_recall_at_10,
hnsw_recall_at_10, hnsw_p50_ms, hnsw_p99_ms``; ``note`` lists skipped runs.

Installing the dependencies
---------------------------
From PyPI (binary wheels, no compiler needed)::

    python3 -m venv /tmp/faissvenv
    /tmp/faissvenv/bin/pip install faiss-cpu hnswlib numpy
    swift run -c release engram bench scale --peer --peer-python /tmp/faissvenv/bin/python

(or ``pip install faiss-cpu hnswlib numpy`` into the ``python3`` on PATH and
leave out ``--peer-python``). Measured with faiss-cpu 1.15.1, hnswlib 0.8.0,
NumPy 2.4.6.
"""

import argparse
import importlib.metadata
import json
import os
import sys
import tempfile
import time

import numpy as np

try:
    import faiss
    import hnswlib
except ImportError as error:  # pragma: no cover - depends on the environment
    sys.exit(f"recall_faiss.py needs faiss-cpu and hnswlib ({error}); see the docstring")

EF_LADDER = [10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]
WARM_UP = 20


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list (as the Swift side computes it)."""
    rank = int(np.ceil(p * len(sorted_values))) - 1
    return sorted_values[min(max(rank, 0), len(sorted_values) - 1)]


def timed(queries, search):
    """Milliseconds of search(row) for each row, after WARM_UP calls, and the results."""
    for row in queries[:WARM_UP]:
        search(row)
    times, results = [], []
    for row in queries:
        start = time.perf_counter()
        found = search(row)
        times.append((time.perf_counter() - start) * 1000)
        results.append(found)
    return sorted(times), results


def recall_at(found, truth, k):
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)]))


def measure(directory, size, manifest, hnsw_max_size, log):
    k = manifest["k"]
    base = np.load(os.path.join(directory, f"base-{size}.npy"))
    queries = np.load(os.path.join(directory, f"query-{size}.npy"))
    tuning = np.load(os.path.join(directory, f"tune-{size}.npy"))
    d = base.shape[1]
    figures = {}

    log(f"{size}: faiss IndexFlatIP")
    flat = faiss.IndexFlatIP(d)
    start = time.perf_counter()
    flat.add(base)
    figures["flat_add_s"] = time.perf_counter() - start
    exact_rows = queries[: manifest["exact_queries"]]
    times, _ = timed(exact_rows, lambda row: flat.search(row.reshape(1, -1), k))
    figures.update(flat_p50_ms=percentile(times, 0.5), flat_p99_ms=percentile(times, 0.99), flat_queries=len(exact_rows))

    if size > hnsw_max_size:
        return figures, f"hnswlib not run at {size} (above --hnsw-max-size {hnsw_max_size})"
    _, truth = flat.search(queries, k)
    _, tuning_truth = flat.search(tuning, k)
    del flat

    log(f"{size}: hnswlib M=16 ef_construction=200")
    graph = hnswlib.Index(space="ip", dim=d)
    graph.set_num_threads(1)
    start = time.perf_counter()
    graph.init_index(max_elements=size, M=16, ef_construction=200, random_seed=100)
    graph.add_items(base, np.arange(size), num_threads=1)
    figures["hnsw_build_s"] = time.perf_counter() - start
    graph.set_num_threads(1)
    chosen, tuning_recall = EF_LADDER[-1], None
    for ef in EF_LADDER:
        if ef < k:
            continue
        graph.set_ef(ef)
        labels, _ = graph.knn_query(tuning, k=k, num_threads=1)
        tuning_recall = recall_at(labels, tuning_truth, k)
        chosen = ef
        if tuning_recall >= manifest["target_recall"]:
            break
    graph.set_ef(chosen)
    times, results = timed(queries, lambda row: graph.knn_query(row.reshape(1, -1), k=k, num_threads=1)[0][0])
    figures.update(hnsw_ef=chosen, hnsw_tuning_recall_at_10=tuning_recall,
                   hnsw_recall_at_10=recall_at(results, truth, k),
                   hnsw_p50_ms=percentile(times, 0.5), hnsw_p99_ms=percentile(times, 0.99))
    return figures, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "engram-bench-scale"))
    parser.add_argument("--hnsw-max-size", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="print only the JSON object (the default output too)")
    args = parser.parse_args()

    faiss.omp_set_num_threads(1)
    with open(os.path.join(args.dir, "manifest.json")) as file:
        manifest = json.load(file)

    def log(message):
        print(message, file=sys.stderr, flush=True)

    result = {
        "faiss_version": faiss.__version__,
        "hnswlib_version": importlib.metadata.version("hnswlib"),
        "numpy_version": np.__version__,
        "threads": 1,
        "sizes": {},
    }
    notes = []
    for size in manifest["sizes"]:
        figures, note = measure(args.dir, size, manifest, args.hnsw_max_size, log)
        result["sizes"][str(size)] = figures
        if note:
            notes.append(note)
    if notes:
        result["note"] = "; ".join(notes)
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
