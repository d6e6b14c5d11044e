#!/usr/bin/env python3
"""Plot the curves of `engram bench mqar --json`.

    .build/release/engram bench mqar --json > mqar.json
    python3 Benchmarks/plot_mqar.py mqar.json --output mqar.png [--markdown]

Panels: capacity (accuracy vs pairs stored, one panel per state size), old-phase recall vs phases
written, rebinding accuracy vs phases written; error bars are the JSON's 95% intervals over seeds.
`--markdown` also prints the plotted data as Markdown tables (what BENCHMARKS.md quotes).
Needs matplotlib only for the plot (`--markdown` alone does not import it).
"""

import argparse
import json
import sys

MEMORIES = ["linear", "gated", "delta", "gated_delta", "metaplastic"]


def cell(interval):
    half = interval["ci95"]
    return f"{100 * interval['mean']:.1f} ± {100 * half:.1f}" if half is not None else f"{100 * interval['mean']:.1f}"


def markdown(result):
    lines = []
    s = result["settings"]
    lines.append(f"Capacity (one phase, every pair queried), accuracy %, by state size d×d:\n")
    lines.append("| d | pairs | " + " | ".join(MEMORIES) + " |")
    lines.append("|---|---|" + "---|" * len(MEMORIES))
    for d in s["state_dimensions"]:
        for pairs in s["pair_counts"]:
            row = {r["memory"]: r["accuracy"] for r in result["capacity"] if r["dimension"] == d and r["pairs"] == pairs}
            lines.append(f"| {d} | {pairs} | " + " | ".join(cell(row[m]) for m in MEMORIES if m in row) + " |")
    lines.append(f"\nOld-phase recall % after n phases of {s['pairs_per_phase']} pairs (d = {s['dimension']}):\n")
    lines.append("| phases | " + " | ".join(MEMORIES) + " |")
    lines.append("|---|" + "---|" * len(MEMORIES))
    for n in range(2, s["curve_phases"] + 1):
        row = {r["memory"]: r["old"] for r in result["phases"] if r["phases"] == n}
        lines.append(f"| {n} | " + " | ".join(cell(row[m]) for m in MEMORIES if m in row) + " |")
    lines.append(f"\nRebinding % (the last of n phases rebinds {s['rebinds']} keys of the first):\n")
    lines.append("| phases | " + " | ".join(MEMORIES) + " |")
    lines.append("|---|" + "---|" * len(MEMORIES))
    for n in s["rebinding_phases"]:
        row = {r["memory"]: r["accuracy"] for r in result["rebinding"] if r["phases"] == n}
        lines.append(f"| {n} | " + " | ".join(cell(row[m]) for m in MEMORIES if m in row) + " |")
    return "\n".join(lines)


def plot(result, output):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = result["settings"]
    dims = s["state_dimensions"]
    fig, axes = plt.subplots(1, len(dims) + 2, figsize=(4 * (len(dims) + 2), 3.6), constrained_layout=True)

    def series(ax, rows, x_key, y_key, memory):
        rows = sorted((r for r in rows if r["memory"] == memory), key=lambda r: r[x_key])
        xs = [r[x_key] for r in rows]
        ys = [100 * r[y_key]["mean"] for r in rows]
        errs = [100 * (r[y_key]["ci95"] or 0) for r in rows]
        ax.errorbar(xs, ys, yerr=errs, marker="o", markersize=3, capsize=2, label=memory)

    for ax, d in zip(axes, dims):
        for memory in MEMORIES:
            series(ax, [r for r in result["capacity"] if r["dimension"] == d], "pairs", "accuracy", memory)
        ax.set_xscale("log", base=2)
        ax.set_title(f"capacity, state {d}×{d}")
        ax.set_xlabel("pairs stored")
        ax.set_ylabel("accuracy %")
    ax = axes[len(dims)]
    for memory in MEMORIES:
        series(ax, result["phases"], "phases", "old", memory)
    ax.set_title(f"old-phase recall, d = {s['dimension']}")
    ax.set_xlabel(f"phases of {s['pairs_per_phase']} pairs written")
    ax = axes[len(dims) + 1]
    for memory in MEMORIES:
        series(ax, result["rebinding"], "phases", "accuracy", memory)
    ax.set_title(f"rebinding {s['rebinds']} keys of phase 1")
    ax.set_xlabel("phases written (the last rebinds)")
    for ax in axes:
        ax.set_ylim(-2, 102)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.savefig(output, dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("json", nargs="?", help="the output of `engram bench mqar --json` (default: standard input)")
    parser.add_argument("--output", default="mqar.png", help="the image to write (default mqar.png)")
    parser.add_argument("--markdown", action="store_true", help="also print the plotted data as Markdown tables")
    parser.add_argument("--no-plot", action="store_true", help="print the tables only")
    args = parser.parse_args()
    with (open(args.json) if args.json else sys.stdin) as handle:
        result = json.load(handle)
    if args.markdown or args.no_plot:
        print(markdown(result))
    if not args.no_plot:
        plot(result, args.output)
        print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
