#!/usr/bin/env python3
"""Linux clients that reach the timers which end a held connection, with
those timers shortened so a bounded test sees what a long hold would.

Usage: persist_clients.py <address> <seconds> <late writers' port base> <port> [...]

Per port, three clients connect and then:
  "write later"  write 100 bytes after the zero-window ACK closed the
                 window: zero-window probing (tcp_probe_timer), which
                 aborts after tcp_retries2 probes answered by nothing or
                 by an old ACK; it connects from <port base> + <port>, so
                 the caller can count what it receives;
  "write at once" write 100 bytes at once, more than the SYN-ACK's window:
                 retransmission into a closed window (tcp_retransmit_timer);
  "keepalive"    never write, keepalive probes every second, 2 unanswered
                 ones end it (tcp_keepalive_timer).
The caller shortens tcp_retries2 in the client's namespace (to 2). After
<seconds>, one line per client and port:

  PERSIST port=<p> client=<c> state=<TCP state> error=<errno>

state ESTABLISHED with error 0 means the connection is still held.
"""

import errno
import socket
import sys
import time

STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 7: "CLOSE", 4: "FIN_WAIT1"}


def connect(address, port, local_port=0):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    client = socket.socket(family, socket.SOCK_STREAM)
    client.settimeout(20)
    if local_port:
        client.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", local_port))
    client.connect((address, port))
    client.setblocking(False)
    return client


def main():
    address, seconds, base = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    ports = [int(port) for port in sys.argv[4:]]
    clients = []
    for port in ports:
        keepalive = connect(address, port)
        keepalive.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        keepalive.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
        keepalive.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
        keepalive.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 2)
        clients.append((port, "keepalive", keepalive))
        at_once = connect(address, port)
        at_once.send(b"x" * 100)
        clients.append((port, "write at once", at_once))
        clients.append((port, "write later", connect(address, port, base + port)))
    # Our zero-window ACK to the handshake has closed the window by now.
    time.sleep(1.5)
    for port, name, client in clients:
        if name == "write later":
            client.send(b"y" * 100)
    time.sleep(seconds)
    for port, name, client in clients:
        info = client.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
        error = client.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        print(f"PERSIST port={port} client={name.replace(' ', '_')} state={STATES.get(info[0], info[0])} "
              f"error={errno.errorcode.get(error, error)}", flush=True)


if __name__ == "__main__":
    main()
