#!/usr/bin/env python3
"""How long a real Linux client stays stuck, and which timer holds it.

Usage: measure_hold.py <address> <port> <bound seconds> <label>
Connects (default sysctls), writes 100 bytes, then waits for the socket to
fail, sampling `ss -tnoi` for its timer every few seconds. Prints one line:
  HOLD <label> held=<seconds> bounded=<yes|no> end=<how it ended> timers=<kinds seen>
"""

import re
import socket
import subprocess
import sys
import time

address, port, bound, label = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
family = socket.AF_INET6 if ":" in address else socket.AF_INET
client = socket.socket(family, socket.SOCK_STREAM)
client.settimeout(bound)
start = time.monotonic()
timers = set()
end = "still open"
try:
    client.connect((address, port))
    client.send(b"EHLO bench.example\r\n" * 5)
    local_port = client.getsockname()[1]
    while time.monotonic() - start < bound:
        client.settimeout(min(5.0, max(0.1, bound - (time.monotonic() - start))))
        try:
            data = client.recv(1024)
            if not data:
                end = "closed by peer"
                break
        except socket.timeout:
            pass
        shown = subprocess.run(["ss", "-Htnoi", f"( sport = :{local_port} )"],
                               capture_output=True, text=True).stdout
        timers.update(re.findall(r"timer:\((\w+)", shown))
except socket.timeout:
    end = "connect timed out"
except OSError as error:
    end = error.strerror or str(error)
held = time.monotonic() - start
bounded = "yes" if end == "still open" else "no"
print(f"HOLD {label} held={held:.0f} bounded={bounded} end={end.replace(' ', '_')} "
      f"timers={','.join(sorted(timers)) or '-'}", flush=True)
