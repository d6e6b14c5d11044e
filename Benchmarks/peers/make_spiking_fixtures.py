#!/usr/bin/env python3
"""Writes the golden traces that EngramSpiking's neurons and plasticity rules are checked against.

Run it with the peer environment (``Benchmarks/peers/setup_spiking_peers.sh``) from the
repository root::

    .venv-peers/bin/python Benchmarks/peers/make_spiking_fixtures.py

It writes three JSON files into ``Tests/EngramSpikingTests/Resources/``, each with a
``provenance`` object (package versions, date, generator, parameters):

* ``snntorch-leaky.json``   - ``snntorch.Leaky`` (float32, CPU) driven by seeded random currents,
  every reset mechanism with ``reset_delay`` on and off: spikes and membrane per step.
* ``brian2-neurons.json``   - Brian2 (numpy runtime, float64, ``method='euler'``, dt = 0.5 ms):
  Izhikevich's published regimes, an adaptive LIF with an adaptation current and a LIF with a
  homeostatic (adaptive) threshold; spikes (step, neuron) and the state after each step's reset.
* ``brian2-plasticity.json`` - Brian2 synapses between two ``SpikeGeneratorGroup``s on fixed
  seeded spike trains (dt = 1 ms): pair STDP with additive (clipped) and multiplicative (soft)
  bounds, triplet STDP (Pfister & Gerstner 2006) and a three-factor rule (eligibility trace times
  a modulator); the weights after every step.

Only the public APIs of snntorch and Brian2 are used; the Swift side reimplements the equations.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "EngramSpikingTests", "Resources")


def provenance(generator: str, parameters: dict) -> dict:
    import brian2
    import snntorch
    import torch

    return {
        "generator": "Benchmarks/peers/make_spiking_fixtures.py",
        "reference": generator,
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "brian2": brian2.__version__,
        "snntorch": snntorch.__version__,
        "torch": torch.__version__,
        "parameters": parameters,
    }


def write(name: str, obj: dict) -> None:
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)", file=sys.stderr)


# --------------------------------------------------------------------------------------------
# snntorch Leaky
# --------------------------------------------------------------------------------------------

def leaky_fixture() -> dict:
    import torch
    import snntorch as snn

    torch.set_num_threads(1)
    steps, neurons = 60, 8
    cases = []
    settings = [
        ("subtract", True, 0.9, 1.0),
        ("subtract", False, 0.9, 1.0),
        ("zero", True, 0.8, 0.5),
        ("zero", False, 0.8, 0.5),
        ("none", True, 0.95, 1.0),
        ("subtract", True, 1.0, 2.0),
        ("zero", True, 0.0, 0.3),
    ]
    for index, (mechanism, delay, beta, threshold) in enumerate(settings):
        rng = np.random.default_rng(100 + index)
        inputs = rng.uniform(-0.2, 0.7, size=(steps, neurons)).astype(np.float32)
        lif = snn.Leaky(beta=beta, threshold=threshold, reset_mechanism=mechanism, reset_delay=delay)
        mem = lif.reset_mem()
        spikes, membranes = [], []
        with torch.no_grad():
            for t in range(steps):
                spk, mem = lif(torch.from_numpy(inputs[t]), mem)
                spikes.append(spk.numpy().astype(np.float32))
                membranes.append(mem.numpy().astype(np.float32))
        cases.append({
            "name": f"{mechanism}-delay{int(delay)}-beta{beta}-thr{threshold}",
            "beta": beta,
            "threshold": threshold,
            "reset_mechanism": mechanism,
            "reset_delay": delay,
            "steps": steps,
            "neurons": neurons,
            "input": [float(x) for x in inputs.reshape(-1)],
            "spikes": [float(x) for x in np.stack(spikes).reshape(-1)],
            "membrane": [float(x) for x in np.stack(membranes).reshape(-1)],
        })
    return {
        "provenance": provenance(
            "snntorch.Leaky, float32 on CPU, membrane initialised by reset_mem() (zeros)",
            {"steps": steps, "neurons": neurons, "input": "uniform(-0.2, 0.7), numpy default_rng(100 + case)",
             "layout": "time-major: value[t * neurons + i]"}),
        "cases": cases,
    }


# --------------------------------------------------------------------------------------------
# Brian2 neurons
# --------------------------------------------------------------------------------------------

def run_group(eqs, n, threshold, reset, params, record, onset_ms, total_ms, current, dt_ms):
    import brian2 as b2

    b2.start_scope()
    b2.prefs.codegen.target = "numpy"
    group = b2.NeuronGroup(n, eqs, threshold=threshold, reset=reset, method="euler", dt=dt_ms * b2.ms)
    for key, values in params.items():
        setattr(group, key, values)
    group.I = 0
    state = b2.StateMonitor(group, record, record=True, when="end")
    spikes = b2.SpikeMonitor(group)
    net = b2.Network(group, state, spikes)
    net.run(onset_ms * b2.ms)
    group.I = current
    net.run((total_ms - onset_ms) * b2.ms)
    steps = int(round(total_ms / dt_ms))
    spike_steps = [int(round(float(t) / (dt_ms * 1e-3))) for t in spikes.t_]
    order = sorted(zip(spike_steps, [int(i) for i in spikes.i]))
    out = {
        "steps": steps,
        "onset_step": int(round(onset_ms / dt_ms)),
        "current": [float(x) for x in current],
        "spike_steps": [s for s, _ in order],
        "spike_neurons": [i for _, i in order],
    }
    for name in record:
        values = getattr(state, name)  # (n, steps)
        assert values.shape == (n, steps), values.shape
        out[name] = [float(x) for x in np.asarray(values).T.reshape(-1)]
    return out


def neurons_fixture() -> dict:
    dt = 0.5
    # Izhikevich (2003), Fig. 2: regular spiking, intrinsically bursting, chattering, fast
    # spiking, low-threshold spiking; v starts at -65, u at b * v.
    regimes = [
        ("regular_spiking", 0.02, 0.2, -65.0, 8.0),
        ("intrinsically_bursting", 0.02, 0.2, -55.0, 4.0),
        ("chattering", 0.02, 0.2, -50.0, 2.0),
        ("fast_spiking", 0.1, 0.2, -65.0, 2.0),
        ("low_threshold_spiking", 0.02, 0.25, -65.0, 2.0),
    ]
    n = len(regimes)
    izh_eqs = """
    dv/dt = (0.04*v**2 + 5*v + 140 - u + I)/ms : 1
    du/dt = a*(b*v - u)/ms : 1
    a : 1
    b : 1
    c : 1
    d : 1
    I : 1
    """
    params = {
        "a": [r[1] for r in regimes], "b": [r[2] for r in regimes],
        "c": [r[3] for r in regimes], "d": [r[4] for r in regimes],
        "v": [-65.0] * n, "u": [r[2] * -65.0 for r in regimes],
    }
    izh = run_group(izh_eqs, n, "v >= 30", "v = c; u += d", params, ["v", "u"], 20.0, 300.0, [10.0] * n, dt)
    izh.update({"names": [r[0] for r in regimes], "a": params["a"], "b": params["b"], "c": params["c"],
                "d": params["d"], "v0": params["v"], "u0": params["u"], "dt_ms": dt,
                "threshold": 30.0})

    # Adaptive LIF with an adaptation current (Gerstner et al., Neuronal Dynamics, ch. 6; the
    # AdEx without its exponential term): voltages in mV, currents folded into mV (R I).
    adlif_eqs = """
    dv/dt = (EL - v - w + I)/(tau_m*ms) : 1
    dw/dt = (a*(v - EL) - w)/(tau_w*ms) : 1
    EL : 1
    vt : 1
    vr : 1
    a : 1
    b : 1
    tau_m : 1
    tau_w : 1
    I : 1
    """
    ad_params = {
        "EL": [-70.0, -70.0, -65.0], "vt": [-50.0, -50.0, -52.0], "vr": [-58.0, -65.0, -60.0],
        "a": [0.0, 0.5, -0.2], "b": [5.0, 3.0, 1.0], "tau_m": [20.0, 10.0, 15.0],
        "tau_w": [100.0, 200.0, 60.0], "v": [-70.0, -70.0, -65.0], "w": [0.0, 0.0, 0.0],
    }
    adlif = run_group(adlif_eqs, 3, "v > vt", "v = vr; w += b", ad_params, ["v", "w"], 20.0, 500.0,
                      [25.0, 40.0, 18.0], dt)
    adlif.update({(k + "0" if k in ("v", "w") else k): ad_params[k] for k in ad_params})
    adlif["dt_ms"] = dt

    # LIF with a homeostatic threshold (Diehl & Cook 2015): theta rises by theta_plus at each
    # spike and decays with tau_theta; the neuron fires when v > vt + theta.
    homeo_eqs = """
    dv/dt = (EL - v + I)/(tau_m*ms) : 1
    dtheta/dt = -theta/(tau_theta*ms) : 1
    EL : 1
    vt : 1
    vr : 1
    theta_plus : 1
    tau_m : 1
    tau_theta : 1
    I : 1
    """
    homeo_params = {
        "EL": [-65.0, -65.0], "vt": [-52.0, -55.0], "vr": [-65.0, -60.0], "theta_plus": [0.5, 2.0],
        "tau_m": [20.0, 10.0], "tau_theta": [200.0, 80.0], "v": [-65.0, -65.0], "theta": [0.0, 0.0],
    }
    homeo = run_group(homeo_eqs, 2, "v > vt + theta", "v = vr; theta += theta_plus", homeo_params,
                      ["v", "theta"], 10.0, 400.0, [30.0, 25.0], dt)
    homeo.update({(k + "0" if k in ("v", "theta") else k): homeo_params[k] for k in homeo_params})
    homeo["dt_ms"] = dt

    return {
        "provenance": provenance(
            "Brian2 NeuronGroup, numpy runtime (float64), method='euler', StateMonitor when='end'",
            {"dt_ms": dt, "input": "I = 0 before onset_step, then current[i] per neuron",
             "layout": "state time-major after each step's reset: value[t * n + i]; spikes as (step, neuron)"}),
        "izhikevich": izh,
        "adaptive_lif": adlif,
        "homeostatic_lif": homeo,
    }


# --------------------------------------------------------------------------------------------
# Brian2 plasticity
# --------------------------------------------------------------------------------------------

def spike_trains(rng, n, steps, rate_hz, dt_ms):
    p = rate_hz * dt_ms * 1e-3
    fires = rng.random((steps, n)) < p
    t, i = np.nonzero(fires)
    return [int(x) for x in t], [int(x) for x in i]


def plasticity_fixture() -> dict:
    import brian2 as b2

    dt = 1.0
    steps, n_pre, n_post = 400, 4, 3
    rng = np.random.default_rng(7)
    pre_t, pre_i = spike_trains(rng, n_pre, steps, 40.0, dt)
    post_t, post_i = spike_trains(rng, n_post, steps, 30.0, dt)
    # A coincident pre/post spike at one step, so the same-step order (pre pathway first) is tested.
    if not any(t == 50 and i == 0 for t, i in zip(pre_t, pre_i)):
        pre_t.append(50); pre_i.append(0)
    if not any(t == 50 and i == 0 for t, i in zip(post_t, post_i)):
        post_t.append(50); post_i.append(0)
    w0 = [float(x) for x in rng.uniform(0.1, 0.9, size=n_pre * n_post)]
    modulator = [float(x) for x in np.where(rng.random(steps) < 0.1, rng.uniform(-1, 1, steps), 0.0)]

    rules = {
        "additive": {
            "eqs": """w : 1
                dapre/dt = -apre/taupre : 1 (event-driven)
                dapost/dt = -apost/taupost : 1 (event-driven)""",
            "on_pre": "apre += Apre\nw = clip(w + apost, 0, wmax)",
            "on_post": "apost += Apost\nw = clip(w + apre, 0, wmax)",
            "params": {"taupre": 20.0, "taupost": 20.0, "Apre": 0.05, "Apost": -0.0525, "wmax": 1.0},
        },
        "multiplicative": {
            "eqs": """w : 1
                dapre/dt = -apre/taupre : 1 (event-driven)
                dapost/dt = -apost/taupost : 1 (event-driven)""",
            "on_pre": "apre += Apre\nw = clip(w + apost*w, 0, wmax)",
            "on_post": "apost += Apost\nw = clip(w + apre*(wmax - w), 0, wmax)",
            "params": {"taupre": 16.8, "taupost": 33.7, "Apre": 0.1, "Apost": -0.12, "wmax": 1.0},
        },
        "triplet": {
            "eqs": """w : 1
                dr1/dt = -r1/tau_plus : 1 (event-driven)
                dr2/dt = -r2/tau_x : 1 (event-driven)
                do1/dt = -o1/tau_minus : 1 (event-driven)
                do2/dt = -o2/tau_y : 1 (event-driven)""",
            "on_pre": "w = clip(w - o1*(A2m + A3m*r2), 0, wmax)\nr1 += 1\nr2 += 1",
            "on_post": "w = clip(w + r1*(A2p + A3p*o2), 0, wmax)\no1 += 1\no2 += 1",
            # Pfister & Gerstner 2006, visual cortex, all-to-all, amplitudes scaled by 10.
            "params": {"tau_plus": 16.8, "tau_minus": 33.7, "tau_x": 101.0, "tau_y": 125.0,
                       "A2p": 5e-9, "A3p": 6.2e-2, "A2m": 7e-2, "A3m": 2.3e-3, "wmax": 1.0},
        },
        "three_factor": {
            "eqs": """w : 1
                delig/dt = -elig/taue : 1 (clock-driven)
                dapre/dt = -apre/taupre : 1 (event-driven)
                dapost/dt = -apost/taupost : 1 (event-driven)""",
            "on_pre": "apre += Apre\nelig += apost",
            "on_post": "apost += Apost\nelig += apre",
            "params": {"taupre": 20.0, "taupost": 20.0, "taue": 200.0, "Apre": 1.0, "Apost": -1.0,
                       "eta": 0.05, "wmax": 1.0},
        },
    }
    out = {}
    for name, rule in rules.items():
        b2.start_scope()
        b2.prefs.codegen.target = "numpy"
        clock_dt = dt * b2.ms
        pre = b2.SpikeGeneratorGroup(n_pre, pre_i, np.array(pre_t) * dt * b2.ms, dt=clock_dt)
        post = b2.SpikeGeneratorGroup(n_post, post_i, np.array(post_t) * dt * b2.ms, dt=clock_dt)
        namespace = {k: (v * b2.ms if k.startswith("tau") else v) for k, v in rule["params"].items()}
        objects = []
        if name == "three_factor":
            namespace["M"] = b2.TimedArray(modulator, dt=clock_dt)
        syn = b2.Synapses(pre, post, rule["eqs"], on_pre=rule["on_pre"], on_post=rule["on_post"],
                          namespace=namespace, method="exact", dt=clock_dt)
        syn.connect(True)
        # Brian2's connect(True) order is pre-major; set w by (i, j) so the fixture is explicit.
        syn.w = [w0[int(i) * n_post + int(j)] for i, j in zip(syn.i, syn.j)]
        if name == "three_factor":
            syn.run_regularly("w = clip(w + eta*M(t)*elig, 0, wmax)", when="end")
        monitor = b2.StateMonitor(syn, "w", record=True, when="end", order=1)  # after run_regularly
        objects += [pre, post, syn, monitor]
        net = b2.Network(*objects)
        net.run(steps * dt * b2.ms)
        weights = np.zeros((steps, n_pre * n_post))
        for k, (i, j) in enumerate(zip(syn.i, syn.j)):
            weights[:, int(i) * n_post + int(j)] = monitor.w[k]
        out[name] = {"params": rule["params"], "on_pre": rule["on_pre"], "on_post": rule["on_post"],
                     "weights": [float(x) for x in weights.reshape(-1)]}
    return {
        "provenance": provenance(
            "Brian2 Synapses between SpikeGeneratorGroups, numpy runtime (float64); event-driven traces; "
            "three-factor: clock-driven eligibility (method='exact') and run_regularly(when='end') for w",
            {"dt_ms": dt, "steps": steps, "pre": n_pre, "post": n_post,
             "spikes": "Bernoulli per step, pre 40 Hz, post 30 Hz, numpy default_rng(7), plus pre 0 and post 0 at step 50",
             "layout": "weights time-major after each step: value[t * (pre*post) + i*post + j]"}),
        "steps": steps, "pre": n_pre, "post": n_post, "dt_ms": dt,
        "pre_spike_steps": pre_t, "pre_spike_neurons": pre_i,
        "post_spike_steps": post_t, "post_spike_neurons": post_i,
        "initial_weights": w0,
        "modulator": modulator,
        "rules": out,
    }


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    write("snntorch-leaky.json", leaky_fixture())
    write("brian2-neurons.json", neurons_fixture())
    write("brian2-plasticity.json", plasticity_fixture())


if __name__ == "__main__":
    main()
