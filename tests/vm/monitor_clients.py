#!/usr/bin/env python3
"""Real TCP clients for the monitoring test: held ones, and a spoofed mix.

  monitor_clients.py hold <source> <destination> <port> <count>
      Opens <count> connections from <source>, each writing one byte (so it
      keeps retransmitting or probing into the closed window, as a bot with
      something to say does). Prints "HELD <n>" (the connections
      established) and waits; on SIGTERM it resets every connection
      (SO_LINGER 0), prints "CLOSED" and exits: the clients are gone.

  monitor_clients.py sources <interface> <own mac> <peer mac> <destination> <port> <total>
      Sends <total> SYNs from spoofed sources over AF_PACKET: 10 % from
      10.66.1.0/24, 5 % from 2001:db8:66:2::/64 (to <destination>'s IPv6
      twin, fd09::1), the rest from 500 other /24s. Prints one
      "TRUTH <prefix> <segments>" line per prefix.
"""

import random
import signal
import socket
import struct
import sys
import time

import wire
from mass_connect import connect_all


def hold(source, destination, port, count):
    held = connect_all(source, destination, port, count, seconds=120)
    for sock in held:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.send(b"x")

    def gone(*_):
        for sock in held:
            sock.close()
        print("CLOSED", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, gone)
    print(f"HELD {len(held)}", flush=True)
    while True:
        time.sleep(3600)


def sources(interface, own_mac, peer_mac, destination, port, total):
    link = wire.Link(interface, own_mac, peer_mac)
    rng = random.Random(2026)
    others = [f"10.{100 + i // 250}.{i % 250}" for i in range(500)]
    truth = {}
    for index in range(total):
        if index % 20 in (0, 10):
            family, prefix, source = 4, "10.66.1.0/24", f"10.66.1.{rng.randrange(1, 255)}"
        elif index % 20 == 5:
            family, prefix = 6, "2001:db8:66:2::/64"
            source = f"2001:db8:66:2::{rng.randrange(1, 65535):x}"
        else:
            other = rng.choice(others)
            family, prefix, source = 4, f"{other}.0/24", f"{other}.{rng.randrange(1, 255)}"
        target = destination if family == 4 else "fd09::1"
        src, dst = wire.address_bytes(source), wire.address_bytes(target)
        segment = wire.tcp_segment(family, src, dst, rng.randrange(1024, 65535), port,
                                   seq=rng.randrange(2**32))
        link.send(family, wire.ip_packet(family, src, dst, segment))
        truth[prefix] = truth.get(prefix, 0) + 1
    for prefix, segments in truth.items():
        print(f"TRUTH {prefix} {segments}")


if __name__ == "__main__":
    if sys.argv[1] == "hold":
        hold(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        sources(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]), int(sys.argv[7]))
