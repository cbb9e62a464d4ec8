#!/usr/bin/env python3
"""Where a target function's time goes, from `perf script -F comm,ip,sym`
output (call graphs) on stdin: used by scripts/bench --profile.

Usage: perf-breakdown.py FUNCTION PACKETS

Prints the samples of the whole run, those with FUNCTION on the stack
(the target function with everything it calls), and how those split:
FUNCTION's own code, then each function it calls directly (with what
those call), largest first. PACKETS (segments the rule saw during the
run) turns samples into samples per 1,000 packets, which is comparable
between targets whatever their throughput.
"""
import collections
import sys


def samples(stream):
    """Each sample's call chain, innermost frame first, as symbol names."""
    chain = []
    for line in stream:
        line = line.rstrip("\n")
        if not line.strip():
            if chain:
                yield chain
            chain = []
        elif line.startswith(("\t", " ")):
            parts = line.split(None, 1)
            chain.append(parts[1] if len(parts) > 1 else "[unknown]")
        # a line without indentation starts a sample (the command name)
    if chain:
        yield chain


def short(symbol):
    """Rust symbols shortened to their last path segments."""
    if symbol.startswith("_R"):
        # v0 mangling: the identifiers are length-prefixed; keep the last one
        names, i = [], 0
        while i < len(symbol):
            if symbol[i].isdigit():
                j = i
                while j < len(symbol) and symbol[j].isdigit():
                    j += 1
                length = int(symbol[i:j])
                names.append(symbol[j:j + length])
                i = j + length
            else:
                i += 1
        names = [n for n in names if n and not n.startswith("B")]
        if names:
            return "(rust) " + "::".join(names[-2:])
    return symbol


# The kernel's own work of sending a reply, whoever asks for it: the skb,
# the route, the output path. A frame under the target function that is
# one of these counts as "kernel reply path", whatever it calls.
REPLY_PATH = ("ip_output", "ip_local_out", "__ip_local_out", "ip_route_me_harder",
              "__alloc_skb", "skb_copy_expand",
              "xt_tarpit_reuse_as_reply", "nf_ct_attach", "ip6_output",
              "ip6_local_out", "__ip6_local_out", "ip6_route_me_harder", "xt_tarpit_route_reply",
              "ip6_route_output_flags", "kfree_skb",
              "sk_skb_reason_drop", "dst_output", "ip_finish_output", "__ip_finish_output")
IDLE = ("default_idle", "do_idle", "cpu_startup_entry")


def main():
    function, packets = sys.argv[1], int(sys.argv[2])
    total = busy = inside = own = reply_path = 0
    direct = collections.Counter()
    second = collections.defaultdict(collections.Counter)
    for chain in samples(sys.stdin):
        total += 1
        if any(symbol in IDLE for symbol in chain):
            continue
        busy += 1
        positions = [i for i, symbol in enumerate(chain) if function in symbol]
        if not positions:
            continue
        inside += 1
        top = positions[-1]  # the outermost frame of FUNCTION
        below = chain[:top]
        if any(symbol in REPLY_PATH for symbol in below):
            reply_path += 1
        if top == 0:
            own += 1
            continue
        callee = short(chain[top - 1])
        direct[callee] += 1
        second[callee][short(chain[top - 2]) if top >= 2 else "(self)"] += 1

    def per_k(count):
        return f"{1000 * count / packets:7.2f}" if packets else "    n/a"

    logic = inside - reply_path
    print(f"SUMMARY function={function} packets={packets} samples={total} busy={busy} "
          f"inside={inside} reply_path={reply_path} own={logic}")
    print(f"{function}: {total} samples, {busy} busy (not idle), {inside} with {function} on the stack; "
          f"{packets} packets through the rule")
    print(f"busy samples per 1,000 packets: {per_k(busy).strip()}; in {function}: {per_k(inside).strip()} "
          f"= kernel reply path (skb, route, output) {per_k(reply_path).strip()} "
          f"+ the target's own work {per_k(logic).strip()}")
    if busy:
        print(f"the target's own work is {100 * logic / busy:.1f}% of the busy time: with none at all, "
              f"throughput would be at most {busy / max(busy - logic, 1):.2f}x")
    print()
    print(f"{'per 1k pkts':>11}  {'share':>6}  what {function} spends it on (direct callees, then theirs)")
    print(f"{per_k(own):>11}  {100 * own / max(inside, 1):5.1f}%  ({function} itself)")
    for callee, count in direct.most_common():
        if count * 200 < inside:  # under 0.5 %
            continue
        print(f"{per_k(count):>11}  {100 * count / max(inside, 1):5.1f}%  {callee}")
        for name, sub in second[callee].most_common(4):
            if sub * 100 < inside:
                continue
            print(f"{'':>11}  {'':>6}    {per_k(sub).strip():>6} {name}")


if __name__ == "__main__":
    main()
