#!/usr/bin/env python3
"""Charts what Prometheus saw of the tarpit during a monitoring test.

Usage: monitor-chart.py <folder> <out.png>
Reads Prometheus /api/v1/query_range answers saved in <folder>:
  held.json     xt_tarpit_connections_held
  replies.json  sum by (outcome) (rate(xt_tarpit_segments_total{outcome=~"reply_.*"}[...]))
  truth.json    optional: [[unix time, connections the test really held], ...]
and draws two panels, the held estimate against the truth and the replies per
second by kind, over seconds since the first sample. A missing or empty
answer leaves its panel saying so.
"""

import json
import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FIGURE_INCHES = (9, 5)
DPI = 100
REPLY_NAMES = {"reply_synack": "SYN-ACK", "reply_ack": "ACK", "reply_rst": "RST"}


class Series:
    """One line: a legend label and its (unix time, value) points."""

    def __init__(self, label, points):
        self.label = label
        self.points = points


def read_answer(path):
    """The (labels, points) of each series of a saved query_range answer; [] when the file is absent."""
    if not path.exists():
        return []
    answer = json.loads(path.read_text())
    if answer.get("status") != "success":
        sys.exit(f"{path}: Prometheus answered {answer.get('errorType', 'error')}: {answer.get('error')}")
    series = []
    for result in answer["data"]["result"]:
        # Prometheus writes values as strings, "NaN" and "+Inf" included.
        points = [(float(time), float(value)) for time, value in result["values"]]
        series.append((result["metric"], [(time, value) for time, value in points if math.isfinite(value)]))
    return series


def held_estimates(answer):
    """One line per host; the legend names the host only when there are several."""
    several = len(answer) > 1
    return [Series(f"held (estimate, {labels.get('instance', '?')})" if several else "held (estimate)", points)
            for labels, points in answer]


def replies_by_kind(answer):
    """One line per outcome, in the order a connection meets them: SYN-ACK, ACK, RST, then any other."""
    order = list(REPLY_NAMES)
    answer = sorted(answer, key=lambda series: (order.index(series[0]["outcome"]) if series[0].get("outcome") in order
                                                else len(order), series[0].get("outcome", "")))
    return [Series(REPLY_NAMES.get(labels.get("outcome"), labels.get("outcome", "replies")), points)
            for labels, points in answer]


def read_truth(path):
    if not path.exists():
        return []
    pairs = json.loads(path.read_text())
    return [Series("held (truth)", [(float(time), float(count)) for time, count in pairs])]


def start_time(*groups):
    times = [time for group in groups for series in group for time, _ in series.points]
    return min(times) if times else None


def plot(axes, group, start, style):
    for series in group:
        if series.points:
            seconds = [time - start for time, _ in series.points]
            axes.plot(seconds, [value for _, value in series.points], label=series.label, **style)


def draw_held(axes, estimate, truth, start):
    axes.set_title("Connections held: estimate vs truth" if truth else "Connections held (estimate)")
    axes.set_ylabel("connections")
    plot(axes, truth, start, {"drawstyle": "steps-post", "color": "black", "linestyle": "--", "linewidth": 1.2})
    plot(axes, estimate, start, {"linewidth": 1.5})
    finish(axes)


def draw_replies(axes, replies, start):
    axes.set_title("Replies per second by kind")
    axes.set_ylabel("replies/s")
    plot(axes, replies, start, {"linewidth": 1.2})
    finish(axes)


def finish(axes):
    axes.set_xlabel("seconds since start")
    axes.grid(alpha=0.3)
    if axes.lines:
        axes.set_ylim(bottom=0)
        axes.legend(fontsize=8, loc="best")
    else:
        axes.text(0.5, 0.5, "no data", transform=axes.transAxes, ha="center", va="center", color="grey")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip())
    folder, out = Path(sys.argv[1]), Path(sys.argv[2])
    estimate = held_estimates(read_answer(folder / "held.json"))
    replies = replies_by_kind(read_answer(folder / "replies.json"))
    truth = read_truth(folder / "truth.json")
    start = start_time(estimate, replies, truth)
    if start is None:
        sys.exit(f"{folder}: no samples in held.json, replies.json or truth.json")

    figure, (held_axes, replies_axes) = plt.subplots(1, 2, figsize=FIGURE_INCHES, dpi=DPI)
    figure.suptitle(f"xt_TARPIT as Prometheus saw it ({folder.name})")
    draw_held(held_axes, estimate, truth, start)
    draw_replies(replies_axes, replies, start)
    figure.tight_layout()
    figure.savefig(out, dpi=DPI)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
