#!/usr/bin/env python3
"""One raw-socket SYN from the attacker namespace; prints what came back.

Usage: syn_probe.py <4|6> <port> [source address]
(default source: the spoofed .99, which no stack in the test answers for).
Prints "SYN-ACK window=<w> acks-our-seq=<yes|no>" for a SYN-ACK to our
SYN, the flags of anything else that answered it, or "nothing".
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vm"))
from wire import ACK, SYN, Link, address_bytes, ip_packet, tcp_segment  # noqa: E402

HOST = {4: "10.0.0.1", 6: "fd00::1"}
SPOOFED = {4: "10.0.0.99", 6: "fd00::99"}
family, port = int(sys.argv[1]), int(sys.argv[2])
link = Link("veth1", "02:00:00:00:00:02", "02:00:00:00:00:01")
sport, seq = 40123, 7000
source = sys.argv[3] if len(sys.argv) > 3 else SPOOFED[family]
src, dst = address_bytes(source), address_bytes(HOST[family])
link.drain()
link.send(family, ip_packet(family, src, dst, tcp_segment(family, src, dst, sport, port, seq=seq, flags=SYN)))
replies = link.capture(lambda r: r["dport"] == sport, seconds=3.0, stop_after=1)
if not replies:
    print("nothing")
elif replies[0]["flags"] == SYN | ACK:
    reply = replies[0]
    print(f"SYN-ACK window={reply['window']} acks-our-seq={'yes' if reply['ack'] == seq + 1 else 'no'}")
else:
    print(f"flags={replies[0]['flags']:#x}")
