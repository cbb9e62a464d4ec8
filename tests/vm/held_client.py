#!/usr/bin/env python3
"""A real TCP client: connect, write, and stay until killed.

Usage: held_client.py <address> <port> <report file>
Writes "connected" or "connect failed: <why>" to the report file, then,
when connected, writes data and sleeps, so the test can inspect the
socket with ss while it is held.
"""

import socket
import sys
import time

address, port, report = sys.argv[1], int(sys.argv[2]), sys.argv[3]
family = socket.AF_INET6 if ":" in address else socket.AF_INET
client = socket.socket(family, socket.SOCK_STREAM)
client.settimeout(8)
try:
    client.connect((address, port))
except OSError as error:
    with open(report, "w") as out:
        out.write(f"connect failed: {error}\n")
    sys.exit(0)
with open(report, "w") as out:
    out.write("connected\n")
client.setblocking(False)
try:
    client.send(b"HELO tarpit.test\r\n" * 20)
except BlockingIOError:
    pass
time.sleep(3600)
