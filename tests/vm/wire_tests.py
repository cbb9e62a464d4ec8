#!/usr/bin/env python3
"""Wire behaviour of the TARPIT target, checked field by field.

Runs in the attacker network namespace of the test VM. Sends hand-made
segments from a spoofed address (static neighbour entries route the
replies to us without the attacker's own TCP stack interfering), captures
what comes back and checks every field the specification names, or that
nothing comes back at all.

Usage: wire_tests.py <label> <results file> [--modes-only | --unroutable | --synack-window N]
Ports: 25 --tarpit, 26 --honeypot, 27 --reset (rules set by the caller).
  --modes-only   just one SYN per mode and family, checking the kind of
                 answer (for the compatibility checks with the C peer)
  --unroutable   SYNs from sources with no route back (10.0.0.98, fd00::98):
                 no answer may come
  --synack-window N
                 one SYN per family to the --tarpit port: the SYN-ACK must
                 offer a window of N bytes (the module parameter)
"""

import itertools
import sys

from wire import (ACK, FIN, PSH, RST, SYN, URG, Link, address_bytes, flags_text,
                  ip_packet, ipv4_packet, ipv6_packet, tcp_segment)

TARPIT_PORT, HONEYPOT_PORT, RESET_PORT = 25, 26, 27
# The documented windows (rust/packet/reply.rs): the specification of the
# target's SYN-ACKs, not values read back from the module.
TARPIT_SYNACK_WINDOW = 5
HONEYPOT_WINDOW = 64240
DEFAULT_TTL = 64

HOST = {4: "10.0.0.1", 6: "fd00::1"}
SPOOFED = {4: "10.0.0.99", 6: "fd00::99"}
HOST_MAC, ATTACKER_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"

source_ports = itertools.count(40000)
results = []


def record(ok, name, why=""):
    line = f"{'PASS' if ok else 'FAIL'} {name}" + ("" if ok else f": {why}")
    print(line, flush=True)
    results.append(line)


def probe(link, family, dport, flags, seq=1000, ack=0, payload=b"", mangle=None, wait=True,
          sport=None):
    """Sends one segment; returns (source port, trigger length, replies to it).

    With wait=False nothing is captured yet (see SilenceBatch)."""
    sport = sport if sport is not None else next(source_ports)
    src, dst = address_bytes(SPOOFED[family]), address_bytes(HOST[family])
    segment = tcp_segment(family, src, dst, sport, dport, seq=seq, ack=ack,
                          flags=flags, payload=payload)
    if mangle is not None:
        packet = mangle(family, src, dst, sport, dport)
    else:
        packet = ip_packet(family, src, dst, segment)
    if not wait:
        link.send(family, packet)
        return sport, len(packet), []
    link.drain()
    link.send(family, packet)
    replies = link.capture(lambda r: r["dport"] == sport, seconds=1.5, stop_after=1)
    return sport, len(packet), replies


class SilenceBatch:
    """Segments that must get no answer: all sent first, then one capture
    long enough for any answer to any of them, attributed by port."""

    def __init__(self, link):
        self.link = link
        self.expected = {}
        link.drain()

    def probe(self, name, family, dport, flags, **kwargs):
        sport, _, _ = probe(self.link, family, dport, flags, wait=False, **kwargs)
        self.expected[sport] = name

    def send(self, name, family, sport, packet, destination_mac=None):
        self.link.send(family, packet, destination_mac=destination_mac)
        self.expected[sport] = name

    def check(self):
        replies = self.link.capture(lambda r: r["dport"] in self.expected, seconds=2.0)
        for sport, name in self.expected.items():
            check_silence(name, [r for r in replies if r["dport"] == sport])


def check_reply(name, family, sport, trigger_length, replies, dport, **expected):
    """One reply, with every common field right and the expected ones."""
    if len(replies) != 1:
        record(False, name, f"expected exactly one reply, got {len(replies)}")
        return None
    reply = replies[0]
    problems = []
    common = {
        "src": address_bytes(HOST[family]), "dst": address_bytes(SPOOFED[family]),
        "sport": dport, "dport": sport, "ip_checksum_ok": True, "tcp_checksum_ok": True,
        "tcp_header_length": 20, "payload": b"", "options": b"", "urgent": 0,
        "ttl": DEFAULT_TTL, "ip_total_length": 40 if family == 4 else 60,
    }
    if family == 4:
        common.update(df=True, fragment=0, ip_header_length=20)
    for field, want in {**common, **expected}.items():
        have = reply.get(field)
        if field == "flags":
            have, want = flags_text(have), flags_text(want)
        if have != want:
            problems.append(f"{field}={have!r}, want {want!r}")
    if reply["wire_length"] > trigger_length:
        problems.append(f"reply of {reply['wire_length']} bytes to a {trigger_length}-byte trigger")
    record(not problems, name, "; ".join(problems))
    return reply


def check_silence(name, replies):
    record(not replies, name, f"expected no reply, got {[flags_text(r['flags']) for r in replies]}")


def handshake(link, family, dport, seq):
    """SYN from a fresh port; returns (port, our SYN-ACK's sequence number)."""
    sport, _, replies = probe(link, family, dport, SYN, seq=seq)
    return sport, (replies[0]["seq"] if len(replies) == 1 else None)


def answered_cases(link, family):
    tag = f"ipv{family}"
    seq = 0x11223344
    # --tarpit
    sport, length, replies = probe(link, family, TARPIT_PORT, SYN, seq=seq)
    reply = check_reply(f"{tag} tarpit: SYN gets a SYN-ACK with a {TARPIT_SYNACK_WINDOW}-byte window",
                        family, sport, length, replies, TARPIT_PORT,
                        flags=SYN | ACK, ack=seq + 1, window=TARPIT_SYNACK_WINDOW)
    if reply is not None:
        record(reply["seq"] != 0, f"{tag} tarpit: SYN-ACK sequence number is not the fingerprint 0",
               "seq is 0")
    sport, length, replies = probe(link, family, TARPIT_PORT, SYN | ACK, seq=seq, ack=0x55667788)
    check_reply(f"{tag} tarpit: unsolicited SYN-ACK gets a RST", family, sport, length, replies,
                TARPIT_PORT, flags=RST, seq=0x55667788, ack=0, window=0)
    sport, isn = handshake(link, family, TARPIT_PORT, seq)
    record(isn is not None, f"{tag} tarpit: handshake for the data test", "no SYN-ACK")
    isn = isn or 0
    _, _, again = probe(link, family, TARPIT_PORT, SYN, seq=seq, sport=sport)
    record([r["seq"] for r in again] == [isn], f"{tag} tarpit: a repeated SYN gets the same (keyed) ISN",
           f"{[r['seq'] for r in again]} vs {isn}")
    _, _, other = probe(link, family, TARPIT_PORT, SYN, seq=seq)
    record([r["seq"] for r in other] != [isn], f"{tag} tarpit: another port gets another ISN", f"both {isn}")
    _, length, replies = probe(link, family, TARPIT_PORT, ACK | PSH, seq=seq + 1, ack=isn + 1,
                               payload=b"x" * 100, sport=sport)
    check_reply(f"{tag} tarpit: data gets a zero-window ACK acknowledging nothing new", family, sport,
                length, replies, TARPIT_PORT, flags=ACK, seq=isn + 1, ack=seq + 1, window=0)
    # A window probe or keepalive carries snd_una - 1 (the client's ISN):
    # the answer acknowledges snd_una, not the probe's own sequence number
    # (an old ACK Linux ignores, aborting after tcp_retries2 probes).
    _, length, replies = probe(link, family, TARPIT_PORT, ACK, seq=seq, ack=isn + 1, sport=sport)
    check_reply(f"{tag} tarpit: window probe gets a zero-window ACK of the client's snd_una", family,
                sport, length, replies, TARPIT_PORT, flags=ACK, seq=isn + 1, ack=seq + 1, window=0)
    _, length, replies = probe(link, family, TARPIT_PORT, ACK, seq=seq + 1 + TARPIT_SYNACK_WINDOW,
                               ack=isn + 1, sport=sport)
    check_reply(f"{tag} tarpit: an ACK after the offered window's bytes gets an ACK of snd_una", family,
                sport, length, replies, TARPIT_PORT, flags=ACK, seq=isn + 1, ack=seq + 1, window=0)
    _, _, replies = probe(link, family, TARPIT_PORT, ACK, seq=seq + 2 + TARPIT_SYNACK_WINDOW,
                          ack=isn + 1, sport=sport)
    check_silence(f"{tag} tarpit: an ACK starting past the offered window is not the client's", replies)
    _, _, replies = probe(link, family, TARPIT_PORT, ACK, seq=seq - 1, ack=isn + 1, sport=sport)
    check_silence(f"{tag} tarpit: an ACK starting before the client's ISN is not the client's", replies)
    _, _, renewed = probe(link, family, TARPIT_PORT, SYN, seq=seq + 1000, sport=sport)
    record(len(renewed) == 1 and renewed[0]["seq"] != isn,
           f"{tag} tarpit: a SYN with another client ISN gets another ISN", f"{renewed} vs {isn}")
    # --honeypot
    sport, length, replies = probe(link, family, HONEYPOT_PORT, SYN, seq=seq)
    check_reply(f"{tag} honeypot: SYN gets a SYN-ACK with an open window", family, sport, length,
                replies, HONEYPOT_PORT, flags=SYN | ACK, ack=seq + 1, window=HONEYPOT_WINDOW)
    sport, isn = handshake(link, family, HONEYPOT_PORT, seq)
    isn = isn or 0
    _, length, replies = probe(link, family, HONEYPOT_PORT, ACK | PSH, seq=seq + 1, ack=isn + 1,
                               payload=b"y" * 64, sport=sport)
    check_reply(f"{tag} honeypot: data is acknowledged, none sent", family, sport, length, replies,
                HONEYPOT_PORT, flags=ACK, seq=isn + 1, ack=seq + 65, window=HONEYPOT_WINDOW)
    _, length, replies = probe(link, family, HONEYPOT_PORT, FIN | ACK, seq=seq + 65, ack=isn + 1, sport=sport)
    check_reply(f"{tag} honeypot: FIN gets a RST", family, sport, length, replies, HONEYPOT_PORT,
                flags=RST, seq=isn + 1, ack=0, window=0)
    sport, length, replies = probe(link, family, HONEYPOT_PORT, SYN | ACK, seq=seq, ack=0x42)
    check_reply(f"{tag} honeypot: unsolicited SYN-ACK gets a RST", family, sport, length, replies,
                HONEYPOT_PORT, flags=RST, seq=0x42, ack=0, window=0)
    # --reset
    sport, length, replies = probe(link, family, RESET_PORT, SYN, seq=seq)
    check_reply(f"{tag} reset: SYN gets RST-ACK acknowledging it", family, sport, length, replies,
                RESET_PORT, flags=RST | ACK, seq=0, ack=seq + 1, window=0)
    sport, length, replies = probe(link, family, RESET_PORT, ACK | PSH, seq=seq, ack=0x77, payload=b"z" * 10)
    check_reply(f"{tag} reset: data gets a RST at the acknowledged sequence", family, sport, length,
                replies, RESET_PORT, flags=RST, seq=0x77, ack=0, window=0)


def silent_cases(link, family):
    tag = f"ipv{family}"
    batch = SilenceBatch(link)
    for port, mode in ((TARPIT_PORT, "tarpit"), (HONEYPOT_PORT, "honeypot"), (RESET_PORT, "reset")):
        for flags, what in ((RST, "RST"), (RST | ACK, "RST-ACK")):
            batch.probe(f"{tag} {mode}: {what} gets no answer", family, port, flags)
        batch.probe(f"{tag} {mode}: SYN-FIN gets no answer", family, port, SYN | FIN)
    for flags, what in ((FIN | ACK, "FIN-ACK"), (FIN, "FIN"), (0, "no flags"), (PSH, "PSH"),
                        (URG | PSH | FIN, "Xmas")):
        batch.probe(f"{tag} tarpit: {what} gets no answer", family, TARPIT_PORT, flags)
    for flags, what in ((0, "no flags"), (PSH, "PSH")):
        batch.probe(f"{tag} honeypot: {what} gets no answer", family, HONEYPOT_PORT, flags)
    # Blind spoofers: acknowledgement numbers guessed, not learnt from a SYN-ACK.
    for port, mode in ((TARPIT_PORT, "tarpit"), (HONEYPOT_PORT, "honeypot")):
        for guess in (0, 1, 0x99, 0xFFFFFFFF):
            batch.probe(f"{tag} {mode}: spoofed ACK with guessed ack {guess:#x} gets no answer", family,
                        port, ACK | PSH, ack=guess, payload=b"reflect me")

    def bad_checksum(family, src, dst, sport, dport):
        segment = tcp_segment(family, src, dst, sport, dport, flags=SYN, bad_checksum=True)
        return ip_packet(family, src, dst, segment)

    def truncated_tcp(family, src, dst, sport, dport):
        segment = tcp_segment(family, src, dst, sport, dport, flags=SYN)[:12]
        return ip_packet(family, src, dst, segment)

    def claimed_options_missing(family, src, dst, sport, dport):
        # Data offset claims 40 bytes of header in a 20-byte segment.
        segment = bytearray(tcp_segment(family, src, dst, sport, dport, flags=SYN))
        segment[12] = 10 << 4
        return ip_packet(family, src, dst, bytes(segment))

    for port in (TARPIT_PORT, RESET_PORT):
        batch.probe(f"{tag} port {port}: bad TCP checksum gets no answer", family, port, SYN,
                    mangle=bad_checksum)
        batch.probe(f"{tag} port {port}: truncated TCP header gets no answer", family, port, SYN,
                    mangle=truncated_tcp)
        batch.probe(f"{tag} port {port}: TCP header shorter than its data offset gets no answer",
                    family, port, SYN, mangle=claimed_options_missing)

    if family == 4:
        def with_options(family, src, dst, sport, dport):
            segment = tcp_segment(4, src, dst, sport, dport, flags=SYN)
            return ipv4_packet(src, dst, segment, options=b"\x01\x01\x01\x00")  # NOP NOP NOP EOL

        def first_fragment(family, src, dst, sport, dport):
            segment = tcp_segment(4, src, dst, sport, dport, flags=SYN)
            return ipv4_packet(src, dst, segment, frag=0x2000)  # MF, offset 0

        def later_fragment(family, src, dst, sport, dport):
            segment = tcp_segment(4, src, dst, sport, dport, flags=SYN)
            return ipv4_packet(src, dst, segment, frag=0x0004)  # offset 32 bytes

        for port in (TARPIT_PORT, RESET_PORT):
            batch.probe(f"ipv4 port {port}: IP options get no answer", 4, port, SYN, mangle=with_options)
            batch.probe(f"ipv4 port {port}: first fragment gets no answer", 4, port, SYN,
                        mangle=first_fragment)
            batch.probe(f"ipv4 port {port}: non-first fragment gets no answer", 4, port, SYN,
                        mangle=later_fragment)
        # Link-layer broadcast to the subnet broadcast address.
        sport = next(source_ports)
        src, dst = address_bytes(SPOOFED[4]), address_bytes("10.0.0.255")
        batch.send("ipv4 tarpit: SYN to the broadcast address gets no answer", 4, sport,
                   ipv4_packet(src, dst, tcp_segment(4, src, dst, sport, TARPIT_PORT, flags=SYN)),
                   destination_mac=b"\xff" * 6)
    else:
        def destination_options(family, src, dst, sport, dport):
            segment = tcp_segment(6, src, dst, sport, dport, flags=SYN)
            # Destination options header: next=TCP, length 0 (8 bytes), PadN.
            extension = bytes([6, 0, 1, 4, 0, 0, 0, 0])
            return ipv6_packet(src, dst, extension + segment, next_header=60)

        for port in (TARPIT_PORT, RESET_PORT):
            batch.probe(f"ipv6 port {port}: extension header before TCP gets no answer", 6, port, SYN,
                        mangle=destination_options)
        sport = next(source_ports)
        src, dst = address_bytes(SPOOFED[6]), address_bytes("ff02::1")
        batch.send("ipv6 tarpit: SYN to a multicast address gets no answer", 6, sport,
                   ipv6_packet(src, dst, tcp_segment(6, src, dst, sport, TARPIT_PORT, flags=SYN)),
                   destination_mac=bytes.fromhex("333300000001"))
    batch.check()


def mode_cases(link, family):
    """One SYN per mode: which kind of answer comes back."""
    tag = f"ipv{family}"
    seq = 0x01020304
    for port, mode in ((TARPIT_PORT, "tarpit"), (HONEYPOT_PORT, "honeypot")):
        _, _, replies = probe(link, family, port, SYN, seq=seq)
        kinds = [(flags_text(r["flags"]), r["ack"] == seq + 1) for r in replies]
        record(kinds == [("SA", True)], f"{tag} {mode}: SYN gets a SYN-ACK", f"got {kinds}")
    # Only the kind of answer: xtables-addons answers a SYN with a bare RST
    # (no ACK, so a real client ignores it), ours with RST-ACK.
    _, _, replies = probe(link, family, RESET_PORT, SYN, seq=seq)
    kinds = [flags_text(r["flags"]) for r in replies]
    record(len(kinds) == 1 and "R" in kinds[0], f"{tag} reset: SYN gets a RST", f"got {kinds}")
    _, _, replies = probe(link, family, TARPIT_PORT, SYN, seq=seq)
    windows = [r["window"] for r in replies]
    record(len(windows) == 1 and 0 < windows[0] <= 16, f"{tag} tarpit: SYN-ACK window is tiny",
           f"windows {windows}")


def unroutable_cases(link):
    batch = SilenceBatch(link)
    for family, source in ((4, "10.0.0.98"), (6, "fd00::98")):
        sport = next(source_ports)
        src, dst = address_bytes(source), address_bytes(HOST[family])
        segment = tcp_segment(family, src, dst, sport, TARPIT_PORT, flags=SYN)
        packet = ip_packet(family, src, dst, segment)
        batch.send(f"ipv{family} tarpit: SYN from an unroutable source gets no answer", family, sport, packet)
    batch.check()


def main():
    label, results_file = sys.argv[1], sys.argv[2]
    variant = sys.argv[3] if len(sys.argv) > 3 else None
    link = Link("veth1", ATTACKER_MAC, HOST_MAC)
    if variant == "--unroutable":
        unroutable_cases(link)
    if variant == "--synack-window":
        window = int(sys.argv[4])
        for family in (4, 6):
            sport, length, replies = probe(link, family, TARPIT_PORT, SYN, seq=77)
            check_reply(f"ipv{family} tarpit: synack_window={window} gives a SYN-ACK with window {window}",
                        family, sport, length, replies, TARPIT_PORT, flags=SYN | ACK, ack=78, window=window)
    for family in (4, 6):
        if variant == "--modes-only":
            mode_cases(link, family)
        elif variant is None:  # the full table
            answered_cases(link, family)
            silent_cases(link, family)
    write_results(label, results_file)


def write_results(label, results_file):
    """Appends the recorded PASS/FAIL lines, tagged with `label`."""
    with open(results_file, "a") as out:
        for line in results:
            kind, rest = line.split(" ", 1)
            out.write(f"{kind} [{label}] {rest}\n")


if __name__ == "__main__":
    main()
