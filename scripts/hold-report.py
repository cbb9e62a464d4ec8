#!/usr/bin/env python3
"""Turns the raw figures of `make hold` into a Markdown table and a chart.

Usage: hold-report.py <results folder> <command line that produced it> <bound seconds>
Reads <folder>/<kernel line>/hold.txt (tests/vm/hold.sh); writes
<folder>/hold.md and <folder>/hold.png and prints the Markdown.
"""

import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HOLD = re.compile(r"^HOLD target=(?P<target>.+?) client=(?P<client>.+?) held=(?P<held>\d+) end=(?P<end>.*)$")
COST = re.compile(r"^COST target=(?P<target>.+?) packets=(?P<packets>\d+) bytes=(?P<bytes>\d+)$")


def read(path):
    holds, costs = {}, {}
    targets, clients = [], []
    for line in path.read_text().splitlines():
        if match := HOLD.match(line):
            target, client = match["target"], match["client"]
            holds[target, client] = (int(match["held"]), match["end"])
            if target not in targets:
                targets.append(target)
            if client not in clients:
                clients.append(client)
        elif match := COST.match(line):
            costs[match["target"]] = (int(match["packets"]), int(match["bytes"]))
    return holds, costs, targets, clients


def shown(held, end):
    if end == "bound":
        return f"**≥ {held}**"
    return f"{held} ({end.split(':')[0]})"


def main():
    folder, command_line, bound = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    lines = [f"# make hold, {folder.name[:10]}", "",
             f"Command: `{command_line}` (bound {bound} s). Every client runs against every target "
             "at once, from an attacker namespace over veth, its program's default settings; "
             "held = seconds until the program ended (for the interrupted nc: until its orphaned "
             "socket left FIN-WAIT-1), **≥ bound** = still stuck at the bound; a held time includes the "
             "program's start-up, which takes up to half a minute under TCG with some 80 programs "
             "starting at once, so short holds (REJECT's) read long. Cost: the replies the target's "
             "port sent (OUTPUT counters), per minute the clients were held.", ""]
    line_folders = sorted(p for p in folder.iterdir() if (p / "hold.txt").exists())
    # One chart per kernel line, one above the other.
    figure, all_axes = plt.subplots(len(line_folders), 1, figsize=(12, 6 * len(line_folders)),
                                    squeeze=False)
    for line_folder, (axes,) in zip(line_folders, all_axes):
        holds, costs, targets, clients = read(line_folder / "hold.txt")
        lines += [f"## Linux {line_folder.name}", "",
                  "| client | " + " | ".join(targets) + " |",
                  "|---|" + "---:|" * len(targets)]
        for client in clients:
            cells = [shown(*holds[target, client]) if (target, client) in holds else "n/a"
                     for target in targets]
            lines.append(f"| {client} | " + " | ".join(cells) + " |")
        cost_cells = []
        for target in targets:
            minutes = sum(held for (t, _), (held, _) in holds.items() if t == target) / 60
            packets, size = costs.get(target, (0, 0))
            cost_cells.append(f"{packets} replies, {size} bytes; {packets / minutes:.1f}/min held"
                              if minutes else f"{packets} replies")
        lines += ["| **cost** | " + " | ".join(cost_cells) + " |", "",
                  "What ended the programs that ended before the bound (their last line on stderr):", ""]
        for (target, client), (held, end) in holds.items():
            if end != "bound":
                lines.append(f"* {client} against {target}, after {held} s: {end.replace('|', '/')}")
        lines.append("")
        width = 0.8 / max(len(targets), 1)
        for index, target in enumerate(targets):
            values = [holds.get((target, client), (0, ""))[0] for client in clients]
            axes.bar([c + index * width for c in range(len(clients))], values, width,
                     label=target)
        axes.set_xticks([c + 0.4 - width / 2 for c in range(len(clients))])
        axes.set_xticklabels(clients, rotation=30, ha="right")
        axes.axhline(bound, color="grey", linestyle="--", linewidth=1)
        axes.set_ylabel("seconds held (dashed: the bound)")
        axes.set_title(f"How long real clients stay stuck: Linux {line_folder.name}")
        axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(folder / "hold.png", dpi=90)
    lines += ["![seconds held per client and target](hold.png)", ""]
    text = "\n".join(lines)
    (folder / "hold.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
