#!/usr/bin/env python3
"""Real client programs against tarpitted ports: how long each stays stuck,
and what ends it. Runs in the attacker namespace of the hold VM
(tests/vm/hold.sh).

Usage: hold_clients.py <bound seconds> <address> <target>=<port> [...]

Starts every client against every target at once (each client program
with its default settings; the interrupted nc is interrupted 2 s after it started, or
once its connection is established if that takes longer),
waits until each has ended or the bound has passed, and prints one line
per client and target:

  HOLD target=<t> client=<c> held=<seconds> end=<what ended it>

"held" is how long the program ran (for the interrupted nc: how long its
orphaned socket stayed in FIN-WAIT-1); "end" is "bound" when it was still
stuck at the bound (then killed), else the program's exit status and the
last line it wrote to stderr.
"""

import os
import signal
import subprocess
import sys
import threading
import time

BIG_FILE = "/tmp/hold-2MiB"

PY_READ = """
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
print(s.recv(1), file=sys.stderr)
"""
PY_WRITE_LATER = """
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
time.sleep(10)
s.sendall(b"USER anonymous\\r\\n")
print(s.recv(1), file=sys.stderr)
"""
PY_TIMEOUT = """
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=60)
s.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
print(s.recv(1), file=sys.stderr)
"""

# What each client runs; {host} and {port} are filled in.
CLIENTS = {
    "curl GET": ["curl", "-sS", "-o", "/dev/null", "http://{host}:{port}/"],
    "curl -d 2MiB": ["curl", "-sS", "-o", "/dev/null", "--data-binary", "@" + BIG_FILE,
                     "http://{host}:{port}/"],
    "ssh": ["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-p", "{port}", "root@{host}", "true"],
    "hydra ssh": ["hydra", "-l", "root", "-p", "tarpit", "-t", "1", "-s", "{port}", "{host}", "ssh"],
    "ncrack ssh": ["ncrack", "--user", "root", "--pass", "tarpit", "ssh://{host}:{port}"],
    "nmap -sV": ["nmap", "-sV", "-Pn", "-p", "{port}", "{host}"],
    "python read": ["python3", "-c", PY_READ, "{host}", "{port}"],
    "python write at 10 s": ["python3", "-c", PY_WRITE_LATER, "{host}", "{port}"],
    "python 60 s timeout": ["python3", "-c", PY_TIMEOUT, "{host}", "{port}"],
    "nc line every 5 s": ["sh", "-c", "while :; do echo HELO tarpit.example; sleep 5; done | nc {host} {port}"],
}
INTERRUPTED_NC = "nc interrupted"


class Run:
    """One client program, its end time taken the moment it exits."""

    def __init__(self, target, port, client, argv):
        self.target, self.port, self.client = target, port, client
        self.ended = None
        self.end = None
        self.stderr = open(f"/tmp/hold-{port}-{client.replace(' ', '_')}.err", "w+")
        self.started = time.monotonic()
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=self.stderr, start_new_session=True)
        self.waiter = threading.Thread(target=self.wait, daemon=True)
        self.waiter.start()

    def wait(self):
        status = self.process.wait()
        ended = time.monotonic()
        if self.end is not None:  # killed at the bound
            return
        self.stderr.seek(0)
        lines = [line.strip() for line in self.stderr.read().splitlines() if line.strip()]
        last = lines[-1] if lines else ""
        self.end = f"exit {status}" + (f": {last[:100]}" if last else "")
        self.ended = ended

    def stop_at_bound(self, now, bound):
        """Kills the program if it is still stuck `bound` seconds after it
        started; true once it has ended either way."""
        if self.ended is None and now - self.started >= bound:
            self.end = "bound"
            self.ended = self.started + bound
            os.killpg(self.process.pid, signal.SIGKILL)
        return self.ended is not None


def sockets(state, local_port):
    """How many of our TCP sockets from `local_port` are in `state` (the
    interrupted nc's own port: other clients' sockets do not count)."""
    shown = subprocess.run(["ss", "-Htn", "state", state, f"( sport = :{local_port} )"],
                           capture_output=True, text=True).stdout
    return len([line for line in shown.splitlines() if line.strip()])


def orphans(local_port):
    """The interrupted nc's socket, if still in FIN-WAIT-1."""
    return sockets("fin-wait-1", local_port)


def wait_established(interrupted, limit):
    """Waits until every interrupted nc's connection is established, at
    most `limit` seconds: with a dozen programs starting at once on a slow
    guest, nc may not have its connection 2 s after it was started, and an
    interrupted connect leaves no socket to hold."""
    deadline = time.monotonic() + limit
    for local_port, _, _ in interrupted.values():
        while sockets("established", local_port) == 0 and time.monotonic() < deadline:
            time.sleep(0.2)


def main():
    bound, host = float(sys.argv[1]), sys.argv[2]
    targets = [item.split("=") for item in sys.argv[3:]]
    with open(BIG_FILE, "wb") as big:
        big.write(b"x" * (2 << 20))
    runs = []
    interrupted = {}
    for index, (target, port) in enumerate(targets):
        for client, argv in CLIENTS.items():
            runs.append(Run(target, port, client,
                            [arg.format(host=host, port=port) for arg in argv]))
        local_port = str(45000 + index)
        nc = subprocess.Popen(["nc", "-p", local_port, host, port], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        interrupted[target] = (local_port, nc, time.monotonic())
    time.sleep(2)
    wait_established(interrupted, bound)
    orphan_end = {}
    for target, (local_port, nc, _) in interrupted.items():
        nc.send_signal(signal.SIGINT)
        nc.wait()
        interrupted[target] = (local_port, nc, time.monotonic())
    while True:
        now = time.monotonic()
        for target, (local_port, _, started) in interrupted.items():
            if target not in orphan_end:
                if orphans(local_port) == 0:
                    orphan_end[target] = (now - started, "socket gone")
                elif now - started >= bound:
                    orphan_end[target] = (bound, "bound")
        ended = [run.stop_at_bound(now, bound) for run in runs]
        if all(ended) and len(orphan_end) == len(interrupted):
            break
        time.sleep(1)
    for run in runs:
        run.waiter.join()
        print(f"HOLD target={run.target} client={run.client} held={run.ended - run.started:.0f} "
              f"end={run.end}", flush=True)
    for target in interrupted:
        held, end = orphan_end[target]
        print(f"HOLD target={target} client={INTERRUPTED_NC} held={held:.0f} end={end}", flush=True)


if __name__ == "__main__":
    main()
