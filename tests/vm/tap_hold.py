#!/usr/bin/env python3
"""Holds a clone of every frame on an interface, then checks them.

    tap_hold.py IFACE GO-FILE

A plain AF_PACKET socket (not the mmap ring tcpdump uses) keeps each frame
it receives as a clone of the kernel's skb, sharing its data: while it
holds them, every incoming packet reaches netfilter cloned, and a target
that reuses the packet for its reply must take a private copy first. This
socket reads nothing until GO-FILE exists, so the clones it holds are the
ones the target saw; then it reads them all and prints one line:

    TAP incoming_syn=N altered=N outgoing=N dropped=N

incoming_syn: frames received that are still the SYNs to port 25 the
attacker sent; altered: received TCP frames that are not (the target wrote
into data it shared with this socket); outgoing: frames the host sent;
dropped: frames the socket had no room for (the kernel's count).
"""
import os
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_STATISTICS = 6
SO_RCVBUFFORCE = 33


def tcp_of(frame):
    """(destination port, flags) of a TCP frame, or None."""
    ethertype = struct.unpack_from("!H", frame, 12)[0]
    if ethertype == 0x0800 and len(frame) >= 34:
        ihl = (frame[14] & 0x0F) * 4
        if frame[23] != 6:
            return None
        tcp = 14 + ihl
    elif ethertype == 0x86DD and len(frame) >= 54:
        if frame[20] != 6:
            return None
        tcp = 54
    else:
        return None
    if len(frame) < tcp + 14:
        return None
    return struct.unpack_from("!H", frame, tcp + 2)[0], frame[tcp + 13]


def main():
    iface, go_file = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 512 << 20)
    sock.bind((iface, 0))
    print("ready", flush=True)
    while not os.path.exists(go_file):
        time.sleep(0.1)
    sock.setblocking(False)
    incoming_syn = altered = outgoing = 0
    while True:
        try:
            frame, address = sock.recvfrom(256)
        except BlockingIOError:
            break
        if address[2] == PACKET_OUTGOING:
            outgoing += 1
            continue
        tcp = tcp_of(frame)
        if tcp is None:
            continue
        if tcp == (25, 0x02):
            incoming_syn += 1
        else:
            altered += 1
    stats = sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
    _, dropped = struct.unpack("II", stats)
    print(f"TAP incoming_syn={incoming_syn} altered={altered} "
          f"outgoing={outgoing} dropped={dropped}", flush=True)


if __name__ == "__main__":
    main()
