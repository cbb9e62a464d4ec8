#!/usr/bin/env python3
"""What a host answers a real client, in one word.

Usage: answer.py tcp|udp HOST PORT [SOURCE]

tcp: connects (3 s) and writes an SSH banner line. Prints "refused" (the
connect was reset), "silence" (no answer to the SYN), "held" (connected,
and what it wrote got no answer in 2 s: a tarpit), "answered" or "closed"
(a service). The socket is then reset (linger 0), so no orphan is left
retransmitting a FIN into later tests.
udp: sends one datagram from a connected socket and waits 1.5 s. Prints
"refused" (an ICMP port unreachable came back), "silence" or "answered".
"""

import socket
import struct
import sys

kind, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
source = sys.argv[4] if len(sys.argv) > 4 else None
family = socket.AF_INET6 if ":" in host else socket.AF_INET
sock = socket.socket(family, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
if source:
    sock.bind((source, 0))


def word():
    if kind == "udp":
        sock.settimeout(1.5)
        sock.connect((host, port))
        sock.send(b"x")
        try:
            sock.recv(16)
            return "answered"
        except ConnectionRefusedError:
            return "refused"
        except socket.timeout:
            return "silence"
    sock.settimeout(3)
    try:
        sock.connect((host, port))
    except ConnectionRefusedError:
        return "refused"
    except socket.timeout:
        return "silence"
    sock.send(b"SSH-2.0-OpenSSH_9.2\r\n")
    sock.settimeout(2)
    try:
        return "answered" if sock.recv(64) else "closed"
    except socket.timeout:
        return "held"
    except ConnectionResetError:
        return "reset"
    finally:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


print(word())
sock.close()
