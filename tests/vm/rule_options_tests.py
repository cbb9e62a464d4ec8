#!/usr/bin/env python3
"""Revision 1 options on the wire: per-rule SYN-ACK window, validation off,
reply rate limits, and --mimic SYN-ACKs compared with the local stack's.

Runs in the attacker namespace of the test VM, like wire_tests.py.
Usage: rule_options_tests.py <label> <results file> <case> [args]
  options              ports 31 (--synack-window 0), 32 (--no-validate),
                       25 (revision 0, validation on: the control)
  limit <port> <n> <burst> <report>
                       <burst> SYNs from one /24 (/64) to <port>, whose rule
                       has --limit <n>; then 5 SYNs from a second prefix.
                       Writes "<family> <answered>" lines to <report>.
  global <port> <n> <burst> <report>
                       <burst> SYNs from two prefixes to <port>, whose rule
                       has --limit-global <n>.
  mimic <real port> <mimic port> <plain port>
                       real clients connect to a listening port, a --mimic
                       port and a plain --tarpit port; the SYN-ACKs are
                       compared field by field.
"""

import socket
import struct
import sys
import time

from wire import ACK, SYN, Link, address_bytes, ip_packet, tcp_segment
from wire_tests import (ATTACKER_MAC, HOST, HOST_MAC, SPOOFED, check_reply, probe,
                        record, source_ports, write_results)

# A second source prefix, routed back to the attacker by the suite.
SECOND = {4: "10.0.1.99", 6: "fd00:0:0:1::99"}
CLIENT = {4: "10.0.0.2", 6: "fd00::2"}


def option_cases(link):
    for family in (4, 6):
        tag = f"ipv{family}"
        sport, length, replies = probe(link, family, 31, SYN, seq=500)
        check_reply(f"{tag} --synack-window 0: the SYN-ACK offers window 0", family, sport, length,
                    replies, 31, flags=SYN | ACK, ack=501, window=0)
        sport, length, replies = probe(link, family, 32, ACK, seq=900, ack=0x0BAD_0BAD)
        check_reply(f"{tag} --no-validate: an ACK that fits no SYN-ACK is answered", family, sport,
                    length, replies, 32, flags=ACK, seq=0x0BAD_0BAD, ack=900, window=0)
        _, _, replies = probe(link, family, 25, ACK, seq=900, ack=0x0BAD_0BAD)
        record(not replies, f"{tag} control: the same ACK to a validating rule gets no answer",
               f"{len(replies)} replies")


def burst(link, family, port, sources, count):
    """Sends `count` SYNs to `port`, cycling through `sources`; returns the
    number of SYN-ACKs that came back and the seconds the sending took."""
    ports = set()
    frames = []
    for index in range(count):
        source = sources[index % len(sources)]
        sport = next(source_ports)
        ports.add(sport)
        src, dst = address_bytes(source), address_bytes(HOST[family])
        frames.append(ip_packet(family, src, dst, tcp_segment(family, src, dst, sport, port, seq=index)))
    link.drain()
    started = time.monotonic()
    for frame in frames:
        link.send(family, frame)
    took = time.monotonic() - started
    replies = link.capture(lambda r: r["dport"] in ports and r["flags"] == SYN | ACK, seconds=2.0)
    return len(replies), took


def limit_cases(link, port, limit, count, report, global_cap):
    lines = []
    for family in (4, 6):
        tag = f"ipv{family}"
        if global_cap:
            answered, took = burst(link, family, port, [SPOOFED[family], SECOND[family]], count)
            # The budget renews each second: a burst that straddles a
            # second boundary may get two budgets, never more.
            record(limit <= answered <= 2 * limit,
                   f"{tag} --limit-global {limit}: {count} SYNs from two prefixes in {took:.2f}s got "
                   f"{answered} answers (one or two seconds' budget)",
                   f"{answered} answered")
            lines.append(f"{family} {answered}")
            continue
        answered, took = burst(link, family, port, [SPOOFED[family]], count)
        record(limit <= answered <= 2 * limit,
               f"{tag} --limit {limit}: a flood of {count} SYNs from one prefix in {took:.2f}s got "
               f"{answered} answers (one or two seconds' budget)",
               f"{answered} answered")
        lines.append(f"{family} {answered}")
        served, _ = burst(link, family, port, [SECOND[family]], 5)
        record(served == 5, f"{tag} --limit {limit}: a second prefix is still served during the flood",
               f"{served} of 5 answered")
        lines.append(f"{family} {served}")
        time.sleep(1.1)
        answered, _ = burst(link, family, port, [SPOOFED[family]], 1)
        record(answered == 1, f"{tag} --limit {limit}: the flooding prefix is answered again a second later",
               f"{answered} answered")
        lines.append(f"{family} {answered}")
    with open(report, "w") as out:
        out.write("\n".join(lines) + "\n")


def synack_of(link, family, port):
    """Connects a real client to `port` and returns the SYN-ACK it got."""
    client = socket.socket(socket.AF_INET if family == 4 else socket.AF_INET6, socket.SOCK_STREAM)
    client.setblocking(False)
    link.drain()
    try:
        client.connect((HOST[family], port))
    except BlockingIOError:
        pass
    replies = link.capture(lambda r: r["sport"] == port and r["flags"] == SYN | ACK
                           and r["dst"] == address_bytes(CLIENT[family]), seconds=3.0, stop_after=1)
    time.sleep(0.2)
    client.close()
    return replies[0] if replies else None


def option_layout(options):
    """The kinds of the options in order, with the values p0f and a
    fingerprinter read (MSS, window scale), timestamps reduced to presence."""
    layout = []
    index = 0
    while index < len(options):
        kind = options[index]
        if kind == 0:
            layout.append("eol")
            break
        if kind == 1:
            layout.append("nop")
            index += 1
            continue
        length = options[index + 1] if index + 1 < len(options) else 0
        body = options[index + 2:index + length]
        if kind == 2:
            layout.append(f"mss={struct.unpack('!H', body)[0]}")
        elif kind == 3:
            layout.append(f"ws={body[0]}")
        elif kind == 4:
            layout.append("sok")
        elif kind == 8:
            tsval, tsecr = struct.unpack("!II", body)
            layout.append(f"ts(val{'>0' if tsval else '=0'},ecr{'>0' if tsecr else '=0'})")
        else:
            layout.append(f"kind{kind}")
        index += max(length, 2)
    return layout


def shape(reply, family):
    fields = {
        "ttl": reply["ttl"], "df": reply["df"], "window": reply["window"],
        "options": option_layout(reply["options"]), "length": reply["ip_total_length"],
        "tcp_header_length": reply["tcp_header_length"],
    }
    if family == 4:
        fields["ip_id"] = reply["ip_id"]
    else:
        fields["flow_label_set"] = reply["flow_label"] != 0
    return fields


def mimic_cases(link, real_port, mimic_port, plain_port):
    for family in (4, 6):
        tag = f"ipv{family}"
        real = synack_of(link, family, real_port)
        mimic = synack_of(link, family, mimic_port)
        plain = synack_of(link, family, plain_port)
        if real is None or mimic is None or plain is None:
            record(False, f"{tag} --mimic: SYN-ACKs captured",
                   f"real {real is not None}, mimic {mimic is not None}, plain {plain is not None}")
            continue
        real_shape, mimic_shape, plain_shape = shape(real, family), shape(mimic, family), shape(plain, family)
        print(f"{tag} real  SYN-ACK: {real_shape}")
        print(f"{tag} mimic SYN-ACK: {mimic_shape}")
        print(f"{tag} plain SYN-ACK: {plain_shape}")
        differences = [f"{key}: real {real_shape[key]!r}, mimic {mimic_shape[key]!r}"
                       for key in real_shape if real_shape[key] != mimic_shape[key]]
        record(not differences, f"{tag} --mimic: the SYN-ACK has the local stack's TTL, DF, IP ID/flow "
               f"label, window, options and values", "; ".join(differences))
        record(plain_shape != real_shape, f"{tag} control: a plain --tarpit SYN-ACK is told apart by the same "
               f"comparison", "identical")
        record(mimic["tcp_checksum_ok"] and mimic["ip_checksum_ok"], f"{tag} --mimic: checksums verify")
        record(mimic["seq"] != 0, f"{tag} --mimic: keyed, non-zero ISN", "seq is 0")


def main():
    label, results_file, case = sys.argv[1], sys.argv[2], sys.argv[3]
    args = sys.argv[4:]
    link = Link("veth1", ATTACKER_MAC, HOST_MAC)
    if case == "options":
        option_cases(link)
    elif case in ("limit", "global"):
        limit_cases(link, int(args[0]), int(args[1]), int(args[2]), args[3], case == "global")
    elif case == "mimic":
        mimic_cases(link, int(args[0]), int(args[1]), int(args[2]))
    write_results(label, results_file)


if __name__ == "__main__":
    main()
