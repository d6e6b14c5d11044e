#!/usr/bin/env python3
"""Brian2 and snntorch on the network of ``engram bench spiking``, single thread, CPU.

``engram bench spiking --peer`` writes the network (``SpikingBenchmark.write``: a
``configuration.json`` and raw little-endian arrays ``pre.i32``, ``post.i32``, ``weight.f64``,
``delay.i32``, ``current.f64``) and runs::

    .venv-peers/bin/python Benchmarks/peers/spiking_peers.py --json --network DIR

(the environment comes from ``Benchmarks/peers/setup_spiking_peers.sh``). The script builds the
same network in each peer, runs one simulated second and prints the wall time of the run (the
build and, for the compiled runtimes, the code generation and compilation are not timed) and the
spike count, so the counts can be checked against Engram's.

The model, step t (dt = 1 ms), identical to Engram's ``SpikingNetwork`` with snntorch ``Leaky``
neurons (reset to zero): ``v = beta * v + I + (weights of the spikes arriving at t)``, a spike
where ``v > threshold``, then ``v = 0`` for the neurons that fired; a spike at step t arrives at
step ``t + delay`` (delay >= 1 step).

* Brian2 (``numpy``, ``cython`` and ``cpp_standalone``): the update is a ``run_regularly`` in
  the ``groups`` slot; the transmitting pathway runs ``before_thresholds``, so the spikes it
  pushes are those of the previous step and a Brian2 delay of ``delay - 1`` steps gives Engram's
  ``delay``. With ``--stdp``-style runs (``with_stdp``), a second presynaptic pathway without
  delay and the postsynaptic pathway apply additive pair STDP (Brian2's trace formulation) to the
  excitatory synapses at the step a spike is emitted, as Engram does; both read the weight a
  spike delivers when it arrives, so the counts with STDP are checked too.
* snntorch: ``snn.Leaky(beta, threshold, reset_mechanism="zero")`` on float32 tensors, the
  synapses as one sparse CSR matrix per delay, a ring buffer of future inputs; snntorch has no
  STDP, so only the run without it is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np


def load(directory: str) -> dict:
    with open(os.path.join(directory, "configuration.json")) as f:
        config = json.load(f)
    arrays = {
        "pre": np.fromfile(os.path.join(directory, "pre.i32"), dtype="<i4"),
        "post": np.fromfile(os.path.join(directory, "post.i32"), dtype="<i4"),
        "weight": np.fromfile(os.path.join(directory, "weight.f64"), dtype="<f8"),
        "delay": np.fromfile(os.path.join(directory, "delay.i32"), dtype="<i4"),
        "current": np.fromfile(os.path.join(directory, "current.f64"), dtype="<f8"),
    }
    return {"config": config, **arrays}


def brian2_run(net: dict, runtime: str, with_stdp: bool) -> dict:
    import brian2 as b2

    c = net["config"]
    n, excitatory = c["neurons"], c["excitatory"]
    b2.start_scope()
    if runtime == "cpp_standalone":
        build_dir = tempfile.mkdtemp(prefix="engram-brian2-")
        b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = 0
    else:
        b2.prefs.codegen.target = runtime
    b2.defaultclock.dt = c["dtMs"] * b2.ms
    group = b2.NeuronGroup(n, "v : 1\nI : 1 (constant)", threshold="v > threshold", reset="v = 0",
                           namespace={"threshold": c["threshold"], "beta": c["beta"]})
    group.I = net["current"]
    group.run_regularly("v = beta * v + I", when="groups")
    monitor = b2.SpikeMonitor(group, record=False)
    objects = [group, monitor]
    is_exc = net["pre"] < excitatory
    # Standalone code cannot take per-synapse arrays before the run knows the synapse count, so
    # there every projection is split by delay into Synapses with one weight and one delay each
    # (the network's weights are one value per kind); the other runtimes take the arrays.
    groups = []
    for kind in ("excitatory", "inhibitory"):
        mask = is_exc if kind == "excitatory" else ~is_exc
        if runtime == "cpp_standalone":
            groups += [(kind, mask & (net["delay"] == d)) for d in range(1, c["maxDelay"] + 1)]
        else:
            groups.append((kind, mask))
    for kind, mask in groups:
        plastic = with_stdp and kind == "excitatory"
        if plastic:
            s = c["stdp"]
            syn = b2.Synapses(
                group, group,
                "w : 1\ndapre/dt = -apre/taupre : 1 (event-driven)\ndapost/dt = -apost/taupost : 1 (event-driven)",
                on_pre={"pre": "v_post += w", "stdp": "apre += Apre\nw = clip(w + apost, 0, wmax)"},
                on_post="apost += Apost\nw = clip(w + apre, 0, wmax)",
                namespace={"taupre": s["tauPreMs"] * b2.ms, "taupost": s["tauPostMs"] * b2.ms,
                           "Apre": s["aPre"], "Apost": s["aPost"], "wmax": s["wMax"]})
        else:
            syn = b2.Synapses(group, group, "w : 1", on_pre={"pre": "v_post += w"})
        syn.connect(i=net["pre"][mask], j=net["post"][mask])
        if runtime == "cpp_standalone":
            syn.w = float(net["weight"][mask][0])
            syn.pre.delay = float(net["delay"][mask][0] - 1) * c["dtMs"] * b2.ms
        else:
            syn.w = net["weight"][mask]
            syn.pre.delay = (net["delay"][mask] - 1) * c["dtMs"] * b2.ms
        syn.pre.when = "before_thresholds"
        objects.append(syn)
    network = b2.Network(*objects)
    duration = c["steps"] * c["dtMs"] * b2.ms
    if runtime == "cpp_standalone":
        network.run(duration)
        b2.device.build(directory=build_dir, compile=True, run=True, debug=False)
        seconds = float(b2.device._last_run_time)
        spikes = int(monitor.num_spikes)
        b2.device.reinit()
        b2.device.activate()
        b2.set_device("runtime")
    else:
        network.run(0 * b2.ms)  # code generation and compilation, untimed
        start = time.perf_counter()
        network.run(duration)
        seconds = time.perf_counter() - start
        spikes = int(monitor.num_spikes)
    return {"seconds": seconds, "spikes": spikes}


def snntorch_run(net: dict) -> dict:
    import torch
    import snntorch as snn

    torch.set_num_threads(1)
    c = net["config"]
    n, steps, max_delay = c["neurons"], c["steps"], c["maxDelay"]
    matrices = []
    for d in range(1, max_delay + 1):
        mask = net["delay"] == d
        coo = torch.sparse_coo_tensor(
            torch.from_numpy(np.stack([net["post"][mask], net["pre"][mask]]).astype(np.int64)),
            torch.from_numpy(net["weight"][mask].astype(np.float32)), (n, n)).coalesce()
        matrices.append(coo.to_sparse_csr())
    current = torch.from_numpy(net["current"].astype(np.float32))
    lif = snn.Leaky(beta=float(c["beta"]), threshold=float(c["threshold"]), reset_mechanism="zero")
    with torch.no_grad():
        mem = lif.reset_mem()
        ring = torch.zeros(max_delay + 1, n)
        spikes = 0
        start = time.perf_counter()
        for t in range(steps):
            slot = t % (max_delay + 1)
            spk, mem = lif(current + ring[slot], mem)
            ring[slot].zero_()
            count = int(spk.sum())
            spikes += count
            if count:
                column = spk.unsqueeze(1)
                for d, matrix in enumerate(matrices, start=1):
                    ring[(t + d) % (max_delay + 1)] += (matrix @ column).squeeze(1)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "spikes": spikes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--network", required=True, help="directory written by engram bench spiking --peer")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--runtimes", default="numpy,cython,cpp_standalone", help="Brian2 runtimes to try")
    parser.add_argument("--no-stdp", action="store_true", help="skip the runs with STDP")
    parser.add_argument("--no-snntorch", action="store_true")
    args = parser.parse_args()
    net = load(args.network)
    import brian2
    import snntorch
    import torch

    result: dict = {"versions": {"brian2": brian2.__version__, "snntorch": snntorch.__version__,
                                 "torch": torch.__version__, "numpy": np.__version__},
                    "brian2": {}, "errors": {}}
    for runtime in [r for r in args.runtimes.split(",") if r]:
        entry = {}
        for with_stdp in ([False] if args.no_stdp else [False, True]):
            key = "stdp" if with_stdp else "plain"
            print(f"brian2 {runtime} {key}…", file=sys.stderr)
            try:
                entry[key] = brian2_run(net, runtime, with_stdp)
            except Exception as error:  # a runtime that does not work here is reported, not fatal
                result["errors"][f"brian2_{runtime}_{key}"] = f"{type(error).__name__}: {error}"[:500]
        if entry:
            result["brian2"][runtime] = entry
    if not args.no_snntorch:
        print("snntorch…", file=sys.stderr)
        try:
            result["snntorch"] = {"plain": snntorch_run(net)}
        except Exception as error:
            result["errors"]["snntorch"] = f"{type(error).__name__}: {error}"[:500]
    if args.json:
        print(json.dumps(result))
    else:
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
