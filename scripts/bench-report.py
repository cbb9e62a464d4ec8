#!/usr/bin/env python3
"""Turns the raw figures of `make bench` into a Markdown table and a chart.

Usage: bench-report.py <results folder> <command line that produced it>
Reads <folder>/<kernel line>/{throughput.csv,memory.txt,hold.txt}; writes
<folder>/bench.md and <folder>/bench.png and prints the Markdown.
"""

import csv
import statistics
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TARGETS = ["ours", "ours-all", "ours-new", "peer", "reject", "drop"]
TARGET_NAMES = {"ours": "ours (defaults: ACKs validated)", "ours-all": "ours, validate_acks=N",
                "ours-new": "ours, defaults + --mimic --limit --limit-global",
                "peer": "C peer (xtables-addons TARPIT)",
                "reject": "REJECT --reject-with tcp-reset", "drop": "DROP",
                # bench --targets: a closer look at one feature or at position effects
                "ours-mimic": "ours, defaults + --mimic", "ours-limit": "ours, defaults + --limit",
                "ours-global": "ours, defaults + --limit-global",
                "ours-v1": "ours, revision 1 rule with no new feature (--synack-window 5)",
                "ours-again": "ours (defaults), measured a second time", "ours-a3": "ours (defaults), a third time"}
EXTRA_TARGETS = ["ours-mimic", "ours-limit", "ours-global", "ours-v1", "ours-again", "ours-a3"]
KINDS = {"syn": "SYN flood", "data": "1400-byte data segments", "ack": "pure ACKs (window probes)"}


def rates(rows, target, kind, field):
    return [int(row[field]) / float(row["seconds"]) for row in rows
            if row["target"] == target and row["kind"] == kind and float(row["seconds"]) > 0]


def summary(values):
    if not values:
        return "n/a", 0.0
    median = statistics.median(values)
    return f"{median:,.0f} ({min(values):,.0f}–{max(values):,.0f})", median


def ratio(a, b):
    """a ÷ b; n/a where either target was not measured (a zero median)."""
    return f"{a / b:.2f}×" if a and b else "n/a"


def main():
    folder, command = Path(sys.argv[1]), sys.argv[2]
    kernels = sys.argv[3] if len(sys.argv) > 3 else ""
    lines = sorted(p for p in folder.iterdir() if (p / "throughput.csv").exists())
    md = [f"# xt_TARPIT benchmark, {folder.name}", "",
          f"Command: `{command}`. {kernels}",
          "QEMU TCG, one vCPU; the flood (raw socket, sendmmsg) runs in an",
          "attacker namespace over veth on the same vCPU as the target, so a cheaper target lets",
          "more of the flood through. NOTRACK on the flooded port. Median of the repetitions,",
          "(min–max) in brackets. *Processed* counts segments the rule saw per second;",
          "*replies* counts packets the host sent back per second (veth tx).", ""]
    figure, axes = plt.subplots(1, len(lines), figsize=(7 * len(lines), 4.5), squeeze=False)
    for index, line in enumerate(lines):
        rows = list(csv.DictReader(open(line / "throughput.csv")))
        kernel = rows[0]["kernel"] if rows else line.name
        reps = len({row["rep"] for row in rows})
        md += [f"## Linux {kernel} ({reps} repetitions)", "",
               "| traffic | target | processed/s | replies/s |", "| --- | --- | ---: | ---: |"]
        medians = {}
        present = {row["target"] for row in rows}
        for kind, kind_name in KINDS.items():
            for target in TARGETS + [extra for extra in EXTRA_TARGETS if extra in present]:
                processed, processed_median = summary(rates(rows, target, kind, "processed"))
                replies, replies_median = summary(rates(rows, target, kind, "replies"))
                medians[target, kind] = (processed_median, replies_median)
                md.append(f"| {kind_name} | {TARGET_NAMES[target]} | {processed} | {replies} |")
        md += ["", "Ratios of medians. Replies/s compares the cost of answering every segment",
               "(ours with validate_acks=N, like the others); processed/s shows what the",
               "defaults cost under a flood of random ACKs, which they do not answer.", "",
               "| traffic | ours÷peer replies/s | ours÷REJECT replies/s | ours÷peer processed/s | ours (defaults)÷peer processed/s | ours (new features)÷peer processed/s | ours÷DROP processed/s |",
               "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for kind, kind_name in KINDS.items():
            every = medians["ours-all", kind] if medians["ours-all", kind][0] else medians["ours", kind]
            default = medians["ours", kind]
            md.append(f"| {kind_name} | {ratio(every[1], medians['peer', kind][1])} | "
                      f"{ratio(every[1], medians['reject', kind][1])} | "
                      f"{ratio(every[0], medians['peer', kind][0])} | "
                      f"{ratio(default[0], medians['peer', kind][0])} | "
                      f"{ratio(medians['ours-new', kind][0], medians['peer', kind][0])} | "
                      f"{ratio(every[0], medians['drop', kind][0])} |")
        profile_rows = []
        for target in ["ours-all", "ours", "ours-new"] + EXTRA_TARGETS + ["peer", "reject"]:
            breakdown = line / f"breakdown-{target}.txt"
            if not breakdown.exists():
                continue
            for entry in breakdown.read_text().split("\n"):
                if entry.startswith("SUMMARY "):
                    fields = dict(item.split("=", 1) for item in entry.split()[1:])
                    profile_rows.append((target, fields))
        if profile_rows:
            md += ["", "Where the time goes: one SYN flood per target under `perf record -a -g`",
                   "(cpu-clock samples of the whole guest per 1,000 segments; *busy* excludes idle).",
                   "*Reply path* is what the kernel does to send any reply (skb, route, LOCAL_OUT,",
                   "the output path), reached from the target function; *own work* is everything",
                   "else under it (parsing, checks, building the reply). *Bound*: the throughput",
                   "gain if that target's own work cost nothing at all.", "",
                   "| target | function | busy / 1k segments | in the function | reply path | own work | own work ÷ busy | bound |",
                   "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
            for target, fields in profile_rows:
                packets = int(fields["packets"]) or 1
                busy, inside = int(fields["busy"]), int(fields["inside"])
                reply_path, own = int(fields["reply_path"]), int(fields["own"])
                k = 1000 / packets
                md.append(f"| {TARGET_NAMES[target]} | `{fields['function']}` | {busy * k:.2f} | {inside * k:.2f} | "
                          f"{reply_path * k:.2f} | {own * k:.2f} | {100 * own / max(busy, 1):.1f}% | "
                          f"{busy / max(busy - own, 1):.2f}× |")
        memory = (line / "memory.txt")
        if memory.exists():
            md += ["", "Memory with 10,000 connections held (the clients live in the same VM, so",
                   "MemAvailable includes their sockets; conntrack entries are the tarpit host's cost):", "",
                   "| NOTRACK | established | MemAvailable drop (kB) | Slab growth (kB) | conntrack entries |",
                   "| --- | ---: | ---: | ---: | ---: |"]
            for entry in memory.read_text().split("\n"):
                if not entry.strip():
                    continue
                fields = dict(item.split("=", 1) for item in entry.split())
                md.append(f"| {fields['notrack']} | {fields['established']} | {fields['memavailable_kb_delta']} | "
                          f"{fields['slab_kb_delta']} | {fields['conntrack_after']} |")
        hold = (line / "hold.txt")
        if hold.exists():
            md += ["", "A real Linux client (default sysctls) that connects and writes:", "",
                   "| target | held (s) | still held at the bound | how it ended | timers seen |",
                   "| --- | ---: | --- | --- | --- |"]
            for entry in hold.read_text().split("\n"):
                if not entry.startswith("HOLD "):
                    continue
                label, *items = entry.split()[1:]
                fields = dict(item.split("=", 1) for item in items)
                md.append(f"| {label} | {fields['held']} | {fields['bounded']} | "
                          f"{fields['end'].replace('_', ' ')} | {fields['timers']} |")
        md.append("")
        axis = axes[0][index]
        width = 0.13
        for position, target in enumerate(TARGETS):
            values, lows, highs = [], [], []
            for kind in KINDS:
                series = rates(rows, target, kind, "processed")
                median = statistics.median(series) if series else 0
                values.append(median)
                lows.append(median - (min(series) if series else 0))
                highs.append((max(series) if series else 0) - median)
            axis.bar([k + (position - 2.5) * width for k in range(len(KINDS))], values, width,
                     yerr=[lows, highs], label=TARGET_NAMES[target], capsize=3)
        axis.set_xticks(range(len(KINDS)), list(KINDS.values()), fontsize=8)
        axis.set_ylabel("segments processed per second")
        axis.set_title(f"Linux {kernel}")
        axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(folder / "bench.png", dpi=110)
    text = "\n".join(md) + f"\n![chart](bench.png)\n"
    (folder / "bench.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
