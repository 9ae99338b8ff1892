#!/usr/bin/env python3
"""Floods a Unix socket: IDLE connections that send nothing, and SLOW senders that trickle a request's header one
byte every half second. Runs for SECONDS, then prints one JSON line with what happened to the connections:
how many could be opened, and how many the server closed (EOF or reset) before the end.

usage: flood.py SOCKET IDLE SLOW SECONDS
"""
import json
import resource
import socket
import sys
import time

path, idle_count, slow_count, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, idle_count + slow_count + 64)), hard))

def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(path)
        s.setblocking(False)
        return s
    except OSError:
        s.close()
        return None

idle = [c for c in (connect() for _ in range(idle_count)) if c]
slow = [c for c in (connect() for _ in range(slow_count)) if c]
request = b"POST /v1/terminals/T02/pin HTTP/1.1\r\nHost: cardgate\r\nContent-Type: application/json\r\nContent-Length: 15\r\n"
closed = {"idle": 0, "slow": 0}
open_idle, open_slow = set(range(len(idle))), set(range(len(slow)))
position = 0
start = time.monotonic()
while time.monotonic() - start < seconds:
    for name, group, alive in (("idle", idle, open_idle), ("slow", slow, open_slow)):
        for index in list(alive):
            sock = group[index]
            try:
                if name == "slow" and position < len(request):
                    sock.send(request[position:position + 1])
                data = sock.recv(4096)
                if data == b"" or (data and b"HTTP/1.1" in data):
                    closed[name] += 1
                    alive.discard(index)
            except BlockingIOError:
                pass
            except OSError:
                closed[name] += 1
                alive.discard(index)
    position += 1
    time.sleep(0.5)
print(json.dumps({"idleOpened": len(idle), "slowOpened": len(slow), "idleClosed": closed["idle"], "slowClosed": closed["slow"],
                  "seconds": round(time.monotonic() - start, 2)}))
for sock in idle + slow:
    sock.close()
