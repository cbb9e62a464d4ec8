#!/usr/bin/env python3
"""Instructions per flood segment, function by function (scripts/insn-profile).

Usage: insn-profile.py <raw dir> <results dir> <kind> <target>...

<raw dir>/<target>-<S>/ and <target>-<2S>/ hold, for one guest each
(shortest flood first), insns.txt (the TCG plugin's "address count" lines),
kallsyms-<target> (the guest's /proc/kallsyms before the flood) and
throughput.csv (bench.sh's). Per target, the longer run's instructions per
symbol less the shorter's, over the segments the rule saw in the extra
seconds, go to <results dir>/profile-<target>.txt; compare.txt puts the
targets side by side. With DROP among the targets, stages.txt splits each
target's instructions beyond DROP's into stages (the target's own code, the
reply's route lookup, its output path, netfilter's hooks and chains, the
rest) and bounds what any reply routed like REJECT's could cost.
"""

import bisect
import csv
import os
import re
import sys

SHOWN = 45

# Stages of an answer, by function name. Each target's count per stage is
# its excess over DROP's in those functions (DROP runs the same receive
# path, so what a function shares with it cancels out).
STAGES = [
    ("own code", re.compile(
        r".*\[xt_TARPIT\]$|^h?siphash|^nf_send_reset|^nf_reject_|^reject_tg")),
    ("route lookup", re.compile(
        r"^(fib_|fib4_|fib6_|__fib_lookup|ip_route_output|__ip_route_output|ip_route_me_harder"
        r"|ip6_route_output|ip6_pol_route|ip6_route_me_harder|rt6_|__inet_dev_addr_type"
        r"|inet_addr_type|l3mdev_|xfrm_lookup|__xfrm_|ip4_dst_hoplimit|ipv4_mtu|ip6_mtu"
        r"|find_exception|dst_release|ip6_dst_check|ipv4_dst_check)")),
    ("output path", re.compile(
        r"^(ip_local_out|__ip_local_out|ip_output|ip_finish_output|__ip_finish_output"
        r"|ip_finish_output2|ip6_local_out|__ip6_local_out|ip6_output|ip6_finish_output"
        r"|__ip6_finish_output|ip6_finish_output2|neigh_|nf_ip_local_out|nf_ip6_local_out)")),
    ("hooks and chains", re.compile(r"^nft?_")),
]


def demangle(name):
    """A short form of a Rust v0 symbol: its last two identifiers."""
    if not name.startswith("_R"):
        return name
    idents, i = [], 2
    while i < len(name):
        match = re.compile(r"(\d+)").match(name, i)
        if not match:
            i += 1
            continue
        length, start = int(match.group(1)), match.end()
        if start < len(name) and name[start] == "_":
            start += 1
        ident = name[start:start + length]
        if length and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", ident or "-"):
            idents.append(ident)
            i = start + length
        else:
            i = match.end()
    return "::".join(idents[-2:]) + " (Rust)" if idents else name


def symbols(path):
    """Sorted start addresses and names of the text symbols in kallsyms."""
    table = []
    with open(path) as lines:
        for line in lines:
            parts = line.split()
            if len(parts) >= 3 and parts[1] in "tTwW":
                name = demangle(parts[2])
                if len(parts) > 3:
                    name += " " + parts[3]
                table.append((int(parts[0], 16), name))
    table.sort()
    return [address for address, _ in table], [name for _, name in table]


def per_symbol(run, target):
    """Instructions per symbol in one run."""
    addresses, names = symbols(os.path.join(run, f"kallsyms-{target}"))
    totals = {}
    with open(os.path.join(run, "insns.txt")) as lines:
        for line in lines:
            address, count = line.split()
            index = bisect.bisect_right(addresses, int(address, 16)) - 1
            name = names[index] if index >= 0 else "(unknown)"
            totals[name] = totals.get(name, 0) + int(count)
    return totals


def processed(run):
    with open(os.path.join(run, "throughput.csv")) as rows:
        return sum(int(row["processed"]) for row in csv.DictReader(rows))


def runs(raw, target):
    found = []
    for entry in os.listdir(raw):
        match = re.fullmatch(re.escape(target) + r"-(\d+)", entry)
        if match:
            found.append((int(match.group(1)), os.path.join(raw, entry)))
    found.sort()
    if len(found) != 2:
        sys.exit(f"insn-profile.py: {target}: expected two runs in {raw}, found {len(found)}")
    return found[0][1], found[1][1]


def main():
    raw, results, kind = sys.argv[1:4]
    targets = sys.argv[4:]
    profiles = {}
    for target in targets:
        short, long = runs(raw, target)
        segments = processed(long) - processed(short)
        if segments <= 0:
            sys.exit(f"insn-profile.py: {target}: no more segments in the longer run")
        before, after = per_symbol(short, target), per_symbol(long, target)
        profile = {name: (after.get(name, 0) - before.get(name, 0)) / segments
                   for name in set(before) | set(after)}
        profiles[target] = (segments, profile)
        total = sum(profile.values())
        with open(os.path.join(results, f"profile-{target}.txt"), "w") as out:
            out.write(f"# {target}, {kind} flood: {segments} segments in the extra seconds, "
                      f"{total:,.0f} guest instructions per segment (the whole guest: flood "
                      f"generator, both stacks, the target), by function\n")
            for name, count in sorted(profile.items(), key=lambda item: -item[1])[:SHOWN]:
                out.write(f"{count:10.1f} {100 * count / total:5.1f}%  {name}\n")
    with open(os.path.join(results, "compare.txt"), "w") as out:
        out.write(f"# {kind} flood: guest instructions per segment, by function "
                  f"(scripts/insn-profile); columns: {', '.join(targets)}\n")
        totals = [sum(profiles[t][1].values()) for t in targets]
        out.write("".join(f"{total:12,.0f}" for total in totals) + "  (all)\n")
        names = set().union(*(profiles[t][1] for t in targets))
        widest = sorted(names, key=lambda n: -max(abs(profiles[t][1].get(n, 0)) for t in targets))
        for name in widest[:2 * SHOWN]:
            out.write("".join(f"{profiles[t][1].get(name, 0):12.1f}" for t in targets) + f"  {name}\n")
    if "drop" in targets:
        write_stages(os.path.join(results, "stages.txt"), kind,
                     {t: profiles[t][1] for t in targets})


def stage_of(name):
    for stage, pattern in STAGES:
        if pattern.match(name):
            return stage
    return "rest"


def write_stages(path, kind, profiles):
    """Each answering target's excess over DROP, by stage, and bounds."""
    drop = profiles["drop"]
    answering = [t for t in profiles if t != "drop"]
    names = [stage for stage, _ in STAGES] + ["rest"]
    excess = {}
    for target in answering:
        sums = dict.fromkeys(names, 0.0)
        profile = profiles[target]
        for name in set(profile) | set(drop):
            sums[stage_of(name)] += profile.get(name, 0) - drop.get(name, 0)
        excess[target] = sums
    total = {t: sum(p.values()) for t, p in profiles.items()}
    with open(path, "w") as out:
        out.write(f"# {kind} flood: guest instructions per segment (scripts/insn-profile), "
                  f"DROP's and each answering target's excess over DROP by stage\n")
        out.write(f"{'':28}" + "".join(f"{t:>12}" for t in answering) + "\n")
        out.write(f"{'DROP (receive, flood)':28}" + "".join(f"{total['drop']:12,.0f}"
                                                          for _ in answering) + "\n")
        for stage in names:
            out.write(f"{'+ ' + stage:28}" + "".join(f"{excess[t][stage]:12,.0f}"
                                                     for t in answering) + "\n")
        out.write(f"{'= total':28}" + "".join(f"{total[t]:12,.0f}" for t in answering) + "\n")
        out.write("\n# Bounds: each target's total without its own code (a target that cost\n"
                  "# nothing, its reply routed and sent as now), and also without the route\n"
                  "# lookup and output path (a reply handed straight to the device). Hooks\n"
                  "# and chains stay: the benchmark's host has no OUTPUT or POSTROUTING\n"
                  "# chains, so their excess is the xt target's call in INPUT and the\n"
                  "# sender namespace's rule that drops the replies.\n")
        for target in answering:
            zero = total[target] - excess[target]["own code"]
            direct = zero - sum(excess[target][s] for s in
                                ("route lookup", "output path"))
            ratios = "".join(f", {reference} / it: {total[reference] / zero:.3f} and "
                             f"{total[reference] / direct:.3f}"
                             for reference in ("reject", "peer")
                             if reference in total and reference != target)
            out.write(f"{target}: zero own code {zero:,.0f}, direct path {direct:,.0f}"
                      f"{ratios}\n")


if __name__ == "__main__":
    main()
