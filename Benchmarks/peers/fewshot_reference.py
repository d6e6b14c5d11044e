#!/usr/bin/env python3
"""NumPy peer benchmark for Engram's few-shot learners.

Engram's ``EngramFewShot`` target reimplements in Swift two few-shot learners
whose behaviour is defined by sc_neurocore's ``few_shot.haam`` module:

* ``HebbianFewShot``   - one Hebbian memory row per class, queried by cosine
                         similarity;
* ``SpikePrototypeNet`` - class prototypes (mean support pattern) compared to
                         each query by cosine, euclidean or hamming score.

This file is **our own** NumPy implementation of that documented behaviour,
written from the specification; it is not the reference's code and contains
none of it. It is written the way a Python user of the original would write
it (per-call validation, Python loops over classes and queries) so that the
figures measure the documented reference behaviour, not a hand-vectorised
variant.

The script

1. verifies the implementation against the golden fixture shared with the
   Swift tests (``--fixture``; by default ``../shared/fixtures/fewshot-golden.json``
   relative to the repository root; skipped silently if that file is absent),
   printing a one-line summary to stderr and exiting non-zero on any mismatch;
2. times Hebbian episodes and prototype classifications per second, single
   threaded, on three configurations (``reference``, ``large``, ``spikes``)
   that mirror Engram's Swift benchmark;
3. optionally (``--with-sc-neurocore``) times sc_neurocore's own
   ``HebbianFewShot`` / ``SpikePrototypeNet`` on exactly the same data, through
   its public API, when that package is importable.

Run it from the repository root::

    python3 Benchmarks/peers/fewshot_reference.py [--json] [--with-sc-neurocore]

NumPy is the only dependency (sc_neurocore is optional and used only with
``--with-sc-neurocore``).
"""

from __future__ import annotations

import os

# Single-threaded BLAS, fixed before NumPy is imported.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse
import json
import math
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

METRICS = ("cosine", "euclidean", "hamming")
NORM_EPSILON = 1e-12
SCORE_TOLERANCE = 1e-12
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FIXTURE = REPO_ROOT.parent / "shared" / "fixtures" / "fewshot-golden.json"
REPEATS = 5


# --------------------------------------------------------------------------
# Learners (documented behaviour)
# --------------------------------------------------------------------------


def resolve_pattern(pattern: ArrayLike, n_features: int, name: str) -> FloatArray:
    """Return a float64 copy of ``pattern`` as an ``(n_features,)`` vector.

    A 1-d input is used as is; a 2-d ``(T, n)`` spike train is averaged over
    time (axis 0) into a rate vector.
    """
    array = np.asarray(pattern, dtype=np.float64)
    if array.ndim == 1:
        vector = array
    elif array.ndim == 2:
        vector = array.mean(axis=0)
    else:
        raise ValueError(f"{name} must have shape ({n_features},) or (T, {n_features})")
    if vector.shape != (n_features,):
        raise ValueError(f"{name} must resolve to {n_features} features")
    if not np.all(np.isfinite(vector)):
        raise ValueError(f"{name} must contain only finite values")
    return vector.copy()


def cosine_similarity(a: FloatArray, b: FloatArray) -> float:
    """Cosine of the angle between ``a`` and ``b``; 0 when either is (near) zero."""
    norm_product = float(np.linalg.norm(a) * np.linalg.norm(b))
    if norm_product <= NORM_EPSILON:
        return 0.0
    return float(np.dot(a, b) / norm_product)


def require_positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer")
    return int(value)


def require_same_length(support_x: Sequence[ArrayLike], support_y: Sequence[int]) -> None:
    if len(support_x) != len(support_y):
        raise ValueError("support_x and support_y must have the same length")


class HebbianFewShot:
    """Per-class Hebbian memory: ``memory[label] += lr * pattern``; cosine recall."""

    def __init__(self, n_features: int, n_classes: int, lr_hebbian: float = 0.1) -> None:
        self.n_features = require_positive_int(n_features, "n_features")
        self.n_classes = require_positive_int(n_classes, "n_classes")
        lr = float(lr_hebbian)
        if not math.isfinite(lr) or lr < 0.0:
            raise ValueError("lr_hebbian must be finite and non-negative")
        self.lr_hebbian = lr
        self.memory: FloatArray = np.zeros((self.n_classes, self.n_features), dtype=np.float64)
        self.counts: NDArray[np.int64] = np.zeros(self.n_classes, dtype=np.int64)

    def reset(self) -> None:
        self.memory.fill(0.0)
        self.counts.fill(0)

    def store(self, spike_pattern: ArrayLike, label: int) -> None:
        vector = resolve_pattern(spike_pattern, self.n_features, "spike_pattern")
        if (
            isinstance(label, bool)
            or not isinstance(label, (int, np.integer))
            or not 0 <= label < self.n_classes
        ):
            raise ValueError(f"label must be an integer in [0, {self.n_classes})")
        self.memory[label] += self.lr_hebbian * vector
        self.counts[label] += 1

    def query_scores(self, spike_pattern: ArrayLike) -> FloatArray:
        vector = resolve_pattern(spike_pattern, self.n_features, "spike_pattern")
        scores = np.zeros(self.n_classes, dtype=np.float64)
        for label in range(self.n_classes):
            if self.counts[label] > 0:
                scores[label] = cosine_similarity(self.memory[label], vector)
        return scores

    def query(self, spike_pattern: ArrayLike) -> int:
        if not np.any(self.counts > 0):
            raise ValueError("at least one support example must be stored before query")
        return int(np.argmax(self.query_scores(spike_pattern)))

    def few_shot_episode(
        self,
        support_x: Sequence[ArrayLike],
        support_y: Sequence[int],
        query_x: Sequence[ArrayLike],
    ) -> list[int]:
        require_same_length(support_x, support_y)
        self.reset()
        for pattern, label in zip(support_x, support_y):
            self.store(pattern, label)
        return [self.query(pattern) for pattern in query_x]

    def export_weights(self) -> FloatArray:
        return self.memory.copy()


class SpikePrototypeNet:
    """Nearest class prototype (mean support pattern) under a chosen metric."""

    def __init__(self, n_features: int, metric: str = "cosine") -> None:
        self.n_features = require_positive_int(n_features, "n_features")
        if metric not in METRICS:
            raise ValueError(f"metric must be one of: {', '.join(METRICS)}")
        self.metric = metric
        self.prototypes: dict[int, FloatArray] = {}

    def score(self, query: FloatArray, prototype: FloatArray) -> float:
        """Similarity of ``query`` to ``prototype``; larger is closer."""
        if self.metric == "cosine":
            return cosine_similarity(query, prototype)
        if self.metric == "euclidean":
            return -float(np.linalg.norm(query - prototype))
        return -float(np.mean((query > 0) != (prototype > 0)))

    def fit_prototypes(
        self, support_x: Sequence[ArrayLike], support_y: Sequence[int]
    ) -> dict[int, FloatArray]:
        if len(support_x) == 0:
            raise ValueError("support_x must contain at least one support pattern")
        require_same_length(support_x, support_y)
        grouped: dict[int, list[FloatArray]] = {}
        for pattern, label in zip(support_x, support_y):
            vector = resolve_pattern(pattern, self.n_features, "spike_pattern")
            grouped.setdefault(int(label), []).append(vector)
        return {
            label: np.mean(np.stack(grouped[label]), axis=0) for label in sorted(grouped)
        }

    def classify(
        self,
        support_x: Sequence[ArrayLike],
        support_y: Sequence[int],
        query_x: Sequence[ArrayLike],
    ) -> list[int]:
        self.prototypes = self.fit_prototypes(support_x, support_y)
        predictions: list[int] = []
        for pattern in query_x:
            query = resolve_pattern(pattern, self.n_features, "query")
            best_label, best_score = -1, -math.inf
            for label, prototype in self.prototypes.items():
                score = self.score(query, prototype)
                if score > best_score:
                    best_label, best_score = label, score
            predictions.append(best_label)
        return predictions

    def export_prototypes(self) -> dict[int, FloatArray]:
        return {label: prototype.copy() for label, prototype in self.prototypes.items()}


# --------------------------------------------------------------------------
# Golden fixture verification
# --------------------------------------------------------------------------


def case_mismatches(case: dict[str, Any]) -> list[str]:
    """Names of the checks of one fixture case that our implementation fails."""
    n_features, n_classes = case["n_features"], case["n_classes"]
    support_x, support_y, query_x = case["support_x"], case["support_y"], case["query_x"]
    failures: list[str] = []

    hebbian = HebbianFewShot(n_features, n_classes, case["lr_hebbian"])
    if hebbian.few_shot_episode(support_x, support_y, query_x) != case["hebbian_predictions"]:
        failures.append("hebbian_predictions")
    if not np.array_equal(hebbian.export_weights(), np.asarray(case["hebbian_weights"])):
        failures.append("hebbian_weights")
    scores = np.array([hebbian.query_scores(pattern) for pattern in query_x])
    expected_scores = np.asarray(case["hebbian_scores"], dtype=np.float64)
    if scores.shape != expected_scores.shape or np.max(
        np.abs(scores - expected_scores), initial=0.0
    ) > SCORE_TOLERANCE:
        failures.append("hebbian_scores")

    for metric in METRICS:
        net = SpikePrototypeNet(n_features, metric)
        if net.classify(support_x, support_y, query_x) != case[f"prototype_{metric}_predictions"]:
            failures.append(f"prototype_{metric}_predictions")
    prototypes = net.export_prototypes()
    expected_prototypes = {int(label): np.asarray(p) for label, p in case["prototypes"].items()}
    if prototypes.keys() != expected_prototypes.keys() or not all(
        np.array_equal(prototypes[label], expected_prototypes[label]) for label in prototypes
    ):
        failures.append("prototypes")
    return failures


def verify_fixture(path: Path) -> bool:
    """Check every case of the golden fixture; print a one-line summary to stderr."""
    cases = json.loads(path.read_text())["cases"]
    failed = {case["name"]: f for case in cases if (f := case_mismatches(case))}
    if failed:
        detail = "; ".join(f"{name}: {', '.join(checks)}" for name, checks in failed.items())
        print(f"fixture {path}: {len(failed)}/{len(cases)} cases FAILED ({detail})", file=sys.stderr)
        return False
    print(f"fixture {path}: all {len(cases)} cases match", file=sys.stderr)
    return True


# --------------------------------------------------------------------------
# Benchmark data and timing
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    name: str
    n_way: int
    k_shot: int
    n_features: int
    n_queries: int
    default_calls: int
    time_steps: int | None = None  # None: rate vectors; else binary (T, n) spike trains


CONFIGS = (
    Config("reference", n_way=5, k_shot=1, n_features=64, n_queries=10, default_calls=1000),
    Config("large", n_way=20, k_shot=5, n_features=1024, n_queries=20, default_calls=200),
    Config("spikes", n_way=5, k_shot=1, n_features=64, n_queries=10, default_calls=200,
           time_steps=100),
)


@dataclass(frozen=True)
class Episode:
    """Lists of patterns, as the learners' ``Sequence[ArrayLike]`` API expects."""

    support_x: list[FloatArray]  # (n,) rate vectors or (T, n) spike trains
    support_y: list[int]
    query_x: list[FloatArray]


def make_patterns(rng: np.random.Generator, count: int, config: Config) -> list[FloatArray]:
    rates = rng.random((count, config.n_features))
    if config.time_steps is None:
        return list(rates)
    draws = rng.random((count, config.time_steps, config.n_features))
    return list((draws < rates[:, np.newaxis, :]).astype(np.float64))


def make_episode(config: Config, seed: int) -> Episode:
    """One N-way K-shot episode of uniform [0, 1) rates (or Bernoulli spike trains)."""
    rng = np.random.default_rng(seed)
    support_y = [label for label in range(config.n_way) for _ in range(config.k_shot)]
    return Episode(
        support_x=make_patterns(rng, len(support_y), config),
        support_y=support_y,
        query_x=make_patterns(rng, config.n_queries, config),
    )


@dataclass(frozen=True)
class Rate:
    best: float
    median: float


def measure_rate(call: Callable[[], object], calls: int) -> Rate:
    """Calls per second of ``call``: best and median over ``REPEATS`` timed loops."""
    for _ in range(max(1, calls // 10)):  # warm-up
        call()
    rates: list[float] = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        rates.append(calls / (time.perf_counter() - start))
    return Rate(best=max(rates), median=statistics.median(rates))


def time_learners(
    hebbian_cls: type, prototype_cls: type, config: Config, episode: Episode, calls: int
) -> dict[str, float]:
    """Hebbian episodes/s and cosine prototype classifications/s for one configuration."""
    hebbian = hebbian_cls(config.n_features, config.n_way)
    prototype = prototype_cls(config.n_features, metric="cosine")
    args = (episode.support_x, episode.support_y, episode.query_x)
    hebbian_rate = measure_rate(lambda: hebbian.few_shot_episode(*args), calls)
    prototype_rate = measure_rate(lambda: prototype.classify(*args), calls)
    return {
        "hebbian_episodes_per_s": hebbian_rate.best,
        "hebbian_episodes_per_s_median": hebbian_rate.median,
        "prototype_classifications_per_s": prototype_rate.best,
        "prototype_classifications_per_s_median": prototype_rate.median,
        "calls_per_repeat": calls,
    }


def time_implementation(
    hebbian_cls: type,
    prototype_cls: type,
    episodes: dict[str, Episode],
    calls_override: int | None,
) -> dict[str, dict[str, float]]:
    return {
        config.name: time_learners(
            hebbian_cls, prototype_cls, config, episodes[config.name],
            calls_override or config.default_calls,
        )
        for config in CONFIGS
    }


def load_sc_neurocore() -> tuple[type, type] | None:
    """sc_neurocore's public learner classes, or None if the package is not importable."""
    try:
        from sc_neurocore.few_shot.haam import HebbianFewShot as ScHebbian
        from sc_neurocore.few_shot.haam import SpikePrototypeNet as ScPrototype
    except ImportError:
        return None
    return ScHebbian, ScPrototype


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def format_table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    header = (
        f"{'implementation':<14} {'config':<10} {'hebbian ep/s':>13} {'(median)':>10} "
        f"{'proto cls/s':>13} {'(median)':>10} {'calls':>6}"
    )
    lines = [header, "-" * len(header)]
    for implementation, by_config in results.items():
        for config_name, row in by_config.items():
            lines.append(
                f"{implementation:<14} {config_name:<10} "
                f"{row['hebbian_episodes_per_s']:>13,.0f} "
                f"{row['hebbian_episodes_per_s_median']:>10,.0f} "
                f"{row['prototype_classifications_per_s']:>13,.0f} "
                f"{row['prototype_classifications_per_s_median']:>10,.0f} "
                f"{row['calls_per_repeat']:>6}"
            )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print a JSON object instead of a table")
    parser.add_argument("--with-sc-neurocore", action="store_true",
                        help="also time sc_neurocore.few_shot.haam if it is importable")
    parser.add_argument("--calls", type=int, default=None,
                        help="calls per timed repeat (default: 1000 reference, 200 others)")
    parser.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE,
                        help=f"golden fixture to verify against (default: {DEFAULT_FIXTURE})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the benchmark data")
    args = parser.parse_args(argv)
    if args.calls is not None and args.calls <= 0:
        parser.error("--calls must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.fixture.is_file() and not verify_fixture(args.fixture):
        return 1

    episodes = {config.name: make_episode(config, args.seed) for config in CONFIGS}
    results = {"numpy": time_implementation(HebbianFewShot, SpikePrototypeNet, episodes, args.calls)}
    if args.with_sc_neurocore:
        classes = load_sc_neurocore()
        if classes is None:
            print("sc_neurocore is not importable; skipping it", file=sys.stderr)
        else:
            results["sc_neurocore"] = time_implementation(*classes, episodes, args.calls)

    if args.json:
        reference = results["numpy"]["reference"]
        output = {
            **results,
            "hebbian_episodes_per_s": reference["hebbian_episodes_per_s"],
            "prototype_classifications_per_s": reference["prototype_classifications_per_s"],
            "numpy_version": np.__version__,
            "python_version": platform.python_version(),
        }
        print(json.dumps(output, indent=2))
    else:
        print(format_table(results))
        print(f"\nnumpy {np.__version__}, Python {platform.python_version()}, single thread; "
              f"best (and median) of {REPEATS} repeats")
    return 0


if __name__ == "__main__":
    sys.exit(main())
