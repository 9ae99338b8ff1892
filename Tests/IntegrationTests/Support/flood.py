#!/usr/bin/env python3
"""Floods a Unix socket for SECONDS: IDLE connections that send nothing, and SLOW senders that trickle a request's
header one byte every half second. Connections the server turns away (or that find its backlog full) are opened
again, so the pressure lasts, until the last 3 seconds, which only watch what the server does with the connections
left. Prints one JSON line: connection attempts, connections opened, how many the server closed (EOF, reset or an
answer), and how many were still open at the end (those the server chose to keep), per kind.

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
request = b"POST /v1/terminals/T02/pin HTTP/1.1\r\nHost: cardgate\r\nContent-Type: application/json\r\nContent-Length: 15\r\n"
stats = {kind: {"attempts": 0, "opened": 0, "closed": 0} for kind in ("idle", "slow")}
slots = {"idle": [None] * idle_count, "slow": [None] * slow_count}
sent = {}

def connect(kind):
    stats[kind]["attempts"] += 1
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(path)
    except OSError:
        s.close()
        return None
    stats[kind]["opened"] += 1
    return s

start = time.monotonic()
while time.monotonic() - start < seconds:
    for kind, group in slots.items():
        for index, sock in enumerate(group):
            if sock is None:
                if time.monotonic() - start < seconds - 3:
                    group[index] = connect(kind)
                sent[(kind, index)] = 0
                continue
            try:
                if kind == "slow" and sent[(kind, index)] < len(request):
                    sock.send(request[sent[(kind, index)]:sent[(kind, index)] + 1])
                    sent[(kind, index)] += 1
                data = sock.recv(4096)
                if data == b"" or b"HTTP/1.1" in data:
                    stats[kind]["closed"] += 1
                    sock.close()
                    group[index] = None
            except BlockingIOError:
                pass
            except OSError:
                stats[kind]["closed"] += 1
                sock.close()
                group[index] = None
    time.sleep(0.5)
for kind, group in slots.items():
    stats[kind]["stillOpen"] = sum(1 for sock in group if sock is not None)
    for sock in group:
        if sock is not None:
            sock.close()
print(json.dumps(stats))
