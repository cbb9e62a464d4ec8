#!/usr/bin/env python3
"""Checks a Grafana dashboard against a live Prometheus.

Usage: dashboard_check.py <dashboard.json> [--url URL] [--rate-interval 1m]
                          [--interval D] [--allow-empty-top]

Checks that every panel has a title, type, gridPos and (unless it is a row,
which queries nothing) a datasource, then runs every panel target's `expr`
(rows' nested panels included) as an instant query, with Grafana's variables
replaced: $__rate_interval by --rate-interval, $__interval by --interval
(default: the rate interval), $instance by `.*`. Prints one line per check:
  PASS <panel title>: <expr> -> <n> series
  FAIL <panel title>: <expr>: <error or 'no data'>
An empty answer passes only for a target marked "hide": true, or for the
optional top-source series when --allow-empty-top is given. The exit status
is 0 whatever the outcome: the caller counts the FAIL lines.
"""

import argparse
import json
import re
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_URL = "http://127.0.0.1:9090"
QUERY_TIMEOUT_SECONDS = 10
GRID_COLUMNS = 24
GRID_FIELDS = ("h", "w", "x", "y")
REQUIRED_PANEL_FIELDS = ("title", "type", "gridPos", "datasource")
ROW_TYPE = "row"
# Panel types that show no query results and so need no targets.
QUERYLESS_TYPES = {ROW_TYPE, "text", "news", "dashlist", "annolist"}
OPTIONAL_TOP_SOURCE = "top_source"
# $name, ${name}, ${name:format} and the old [[name]] spelling; a name starts
# with a letter or "_", so label_replace's "$1" is left alone, as Grafana does.
VARIABLE = re.compile(r"\$\{(?P<braced>[A-Za-z_]\w*)(?::\w+)?\}|\$(?P<bare>[A-Za-z_]\w*)"
                      r"|\[\[(?P<old>[A-Za-z_]\w*)(?::\w+)?\]\]")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dashboard", help="the dashboard's JSON file")
    parser.add_argument("--url", default=DEFAULT_URL, help=f"Prometheus' base URL (default {DEFAULT_URL})")
    parser.add_argument("--rate-interval", default="1m", help="what $__rate_interval becomes (default 1m)")
    parser.add_argument("--interval", help="what $__interval becomes (default: the rate interval)")
    parser.add_argument("--allow-empty-top", action="store_true",
                        help="let the optional top_source series answer with no data")
    return parser.parse_args()


def walk_panels(panels):
    """Every panel, each row followed by the panels nested in it (a collapsed row keeps them there)."""
    for panel in panels:
        yield panel
        if isinstance(panel, dict):
            yield from walk_panels(panel.get("panels") or [])


def panel_name(panel, index):
    return panel.get("title") or f"<panel #{index} without a title>"


def structure_problems(panel):
    """What is missing or malformed in one panel, as sentences."""
    required = [f for f in REQUIRED_PANEL_FIELDS if not (f == "datasource" and panel.get("type") == ROW_TYPE)]
    problems = [f"no {field}" for field in required if not panel.get(field)]
    grid = panel.get("gridPos")
    if isinstance(grid, dict):
        if not all(isinstance(grid.get(field), int) for field in GRID_FIELDS):
            problems.append(f"gridPos needs integer {', '.join(GRID_FIELDS)}, has {json.dumps(grid)}")
        elif grid["x"] < 0 or grid["w"] <= 0 or grid["x"] + grid["w"] > GRID_COLUMNS:
            problems.append(f"gridPos x={grid['x']} w={grid['w']} leaves the {GRID_COLUMNS}-column grid")
    elif grid is not None:
        problems.append("gridPos is not an object")
    if panel.get("type") not in QUERYLESS_TYPES and not panel.get("targets"):
        problems.append("no targets")
    return problems


def substitute(expr, values):
    """expr with Grafana's variables replaced; raises KeyError naming the first unknown one."""
    def replacement(match):
        name = match["braced"] or match["bare"] or match["old"]
        if name not in values:
            raise KeyError(f"unknown variable ${name}")
        return values[name]
    return VARIABLE.sub(replacement, expr)


def instant_query(url, expr):
    """The number of series Prometheus answers expr with; raises RuntimeError with its error."""
    request = f"{url.rstrip('/')}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
    try:
        with urllib.request.urlopen(request, timeout=QUERY_TIMEOUT_SECONDS) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as error:
        # Prometheus explains a bad query in the body of its 400/422 answer.
        try:
            answer = json.load(error)
        except ValueError:
            raise RuntimeError(f"HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise RuntimeError(f"query failed: {error}") from None
    if answer.get("status") != "success":
        raise RuntimeError(f"{answer.get('errorType', 'error')}: {answer.get('error', 'no error text')}")
    data = answer["data"]
    if data["resultType"] in ("vector", "matrix"):
        return len(data["result"])
    return 1  # a scalar or a string is one value


def may_be_empty(target, expr, allow_empty_top):
    return bool(target.get("hide")) or (allow_empty_top and OPTIONAL_TOP_SOURCE in expr)


def check_target(title, target, arguments, values):
    expr = target.get("expr")
    if not expr:
        print(f"FAIL {title}: target {target.get('refId', '?')} has no expr")
        return
    shown = " ".join(expr.split())
    try:
        series = instant_query(arguments.url, substitute(expr, values))
    except (KeyError, RuntimeError) as error:
        print(f"FAIL {title}: {shown}: {error.args[0]}")
        return
    if series == 0 and not may_be_empty(target, expr, arguments.allow_empty_top):
        print(f"FAIL {title}: {shown}: no data")
        return
    print(f"PASS {title}: {shown} -> {series} series")


def load_dashboard(path):
    """The dashboard object, or None after printing why it cannot be read."""
    try:
        with open(path, encoding="utf-8") as file:
            dashboard = json.load(file)
    except (OSError, ValueError) as error:
        print(f"FAIL {path}: cannot read the dashboard: {error}")
        return None
    # An export wrapped for the HTTP API carries the dashboard under "dashboard".
    dashboard = dashboard.get("dashboard", dashboard) if isinstance(dashboard, dict) else dashboard
    if not isinstance(dashboard, dict) or not isinstance(dashboard.get("panels"), list):
        print(f"FAIL {path}: no list of panels")
        return None
    return dashboard


def main():
    arguments = parse_arguments()
    values = {"__rate_interval": arguments.rate_interval,
              "__interval": arguments.interval or arguments.rate_interval,
              "instance": ".*"}
    dashboard = load_dashboard(arguments.dashboard)
    if dashboard is None:
        return
    for index, panel in enumerate(walk_panels(dashboard["panels"]), start=1):
        if not isinstance(panel, dict):
            print(f"FAIL <panel #{index}>: not an object")
            continue
        title = panel_name(panel, index)
        for problem in structure_problems(panel):
            print(f"FAIL {title}: {problem}")
        for target in panel.get("targets") or []:
            check_target(title, target, arguments, values)


if __name__ == "__main__":
    main()
