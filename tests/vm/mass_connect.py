#!/usr/bin/env python3
"""Open many real TCP connections from one source address and keep them.

Usage: mass_connect.py <source address> <destination> <port> <count>
Prints "ESTABLISHED <n>" once every connect has finished (or after 60 s),
then sleeps until killed, holding the sockets. tests/vm/monitor_clients.py
opens its held clients with connect_all.
"""

import errno
import select
import socket
import sys
import time


def connect_all(source, destination, port, count, seconds=60):
    """Connects `count` sockets from `source` at once; returns the ones
    established within `seconds` (the others are closed)."""
    pending = {}
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((source, 0))
        sock.setblocking(False)
        result = sock.connect_ex((destination, port))
        if result not in (0, errno.EINPROGRESS):
            raise SystemExit(f"connect: {errno.errorcode.get(result, result)}")
        pending[sock.fileno()] = sock
    established = []
    poller = select.poll()
    for fd in pending:
        poller.register(fd, select.POLLOUT)
    deadline = time.monotonic() + seconds
    while pending and time.monotonic() < deadline:
        for fd, _ in poller.poll(1000):
            sock = pending.pop(fd)
            poller.unregister(fd)
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                established.append(sock)
    for sock in pending.values():
        sock.close()
    return established


if __name__ == "__main__":
    source, destination, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    established = connect_all(source, destination, port, count)
    print(f"ESTABLISHED {len(established)}", flush=True)
    time.sleep(86400)
