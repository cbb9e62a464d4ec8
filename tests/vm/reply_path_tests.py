#!/usr/bin/env python3
"""Where replies go: the probes of tests/vm/reply_path.sh, sent from a
namespace over one interface with hand-made frames (wire.py), the replies
captured and checked field by field, MAC addresses included.

Usage: reply_path_tests.py <label> <results file> <case> <interface> <own MAC> <peer MAC> [args]
  send <family> <src> <dst> <sport> <dport> <flags>
        sends one segment and captures nothing (the host counts what the
        rule saw).
  answered <name> <family> <src> <dst> <dport> [<field>=<value> ...]
        one SYN from src to dst; passes when exactly one reply comes back
        within 1.5 s and it is the SYN-ACK of it, from dst to src, with
        correct checksums and the given fields (ttl, eth_src, eth_dst).
  silent <name> <family> <src> <dst> <dport>
        one SYN; passes when nothing at all comes back to its port.
  budgets <name> <family> <src> <dst> <busy port> <busy count> <quiet port> <quiet count>
        <busy count> SYNs to <busy port>, then <quiet count> to <quiet
        port>, from the same source, sent back to back; passes when every
        SYN to <quiet port> is answered.
"""

import itertools
import sys

from wire import ACK, SYN, Link, address_bytes, flags_from, flags_text, ip_packet, tcp_segment
from wire_tests import record, write_results

source_ports = itertools.count(41000)


def segment(family, src, dst, sport, dport, flags, seq=1000, ack=0):
    src_bytes, dst_bytes = address_bytes(src), address_bytes(dst)
    return ip_packet(family, src_bytes, dst_bytes,
                     tcp_segment(family, src_bytes, dst_bytes, sport, dport, seq=seq, ack=ack,
                                 flags=flags))


def mac_bytes(text):
    return bytes.fromhex(text.replace(":", ""))


def answered(link, name, family, src, dst, dport, expected):
    sport = next(source_ports)
    link.drain()
    link.send(family, segment(family, src, dst, sport, dport, SYN, seq=7000))
    replies = link.capture(lambda r: r["dport"] == sport, seconds=1.5)
    if len(replies) != 1:
        record(False, name, f"expected one reply, got {[flags_text(r['flags']) for r in replies]}")
        return
    reply = replies[0]
    want = {"flags": SYN | ACK, "ack": 7001, "sport": dport, "src": address_bytes(dst),
            "dst": address_bytes(src), "ip_checksum_ok": True, "tcp_checksum_ok": True}
    for field, value in expected.items():
        want[field] = mac_bytes(value) if field.startswith("eth_") else int(value)
    problems = [f"{field}={reply.get(field)!r}, want {value!r}"
                for field, value in want.items() if reply.get(field) != value]
    record(not problems, name, "; ".join(problems))


def silent(link, name, family, src, dst, dport):
    sport = next(source_ports)
    link.drain()
    link.send(family, segment(family, src, dst, sport, dport, SYN))
    replies = link.capture(lambda r: r["dport"] == sport, seconds=1.5)
    record(not replies, name, f"expected no reply, got {[flags_text(r['flags']) for r in replies]}")


def budgets(link, name, family, src, dst, busy_port, busy_count, quiet_port, quiet_count):
    quiet = set()
    frames = []
    for index in range(busy_count + quiet_count):
        sport = next(source_ports)
        port = busy_port if index < busy_count else quiet_port
        if port == quiet_port:
            quiet.add(sport)
        frames.append(segment(family, src, dst, sport, port, SYN, seq=index))
    link.drain()
    for frame in frames:
        link.send(family, frame)
    replies = link.capture(lambda r: r["dport"] in quiet and r["flags"] == SYN | ACK, seconds=2.0)
    record(len(replies) == quiet_count, name, f"{len(replies)} of {quiet_count} answered")


def main():
    label, results_file, case, interface, own_mac, peer_mac = sys.argv[1:7]
    args = sys.argv[7:]
    link = Link(interface, own_mac, peer_mac)
    if case == "send":
        family, src, dst, sport, dport, flags = args
        link.send(int(family), segment(int(family), src, dst, int(sport), int(dport),
                                       flags_from(flags), seq=5000, ack=9000))
        return
    if case == "answered":
        name, family, src, dst, dport = args[:5]
        expected = dict(item.split("=", 1) for item in args[5:])
        answered(link, name, int(family), src, dst, int(dport), expected)
    elif case == "silent":
        name, family, src, dst, dport = args
        silent(link, name, int(family), src, dst, int(dport))
    elif case == "budgets":
        name, family, src, dst = args[:4]
        budgets(link, name, int(family), src, dst, *map(int, args[4:]))
    else:
        sys.exit(f"unknown case {case}")
    write_results(label, results_file)


if __name__ == "__main__":
    main()
