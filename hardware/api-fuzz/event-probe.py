#!/usr/bin/env python3
"""Checks GET /v1/events against docs/openapi.yaml with real events of every kind, on the virtual rig.

    event-probe.py SOCKET SPEC VCARD CARD_FILE LOG_DIR

Restores the doors (a fuzzer may have released them), opens an event stream on the daemon's Unix socket, then makes
every kind of event happen: a card into terminal
T02's reader (`reader` and `terminal` events), a card at door D1's entry reader (`reader` and `door` events), and an
emergency lock-all (`emergency`). It checks the stream byte for byte against what the document promises:

- status 200, `Content-Type: text/event-stream`, `Cache-Control: no-store`;
- the opening comment `: cardgate events` and a blank line first;
- then only events of two lines, `event: <kind>` and `data: <one line of JSON>`, each followed by a blank line;
- the kind is one of the `event` constants of the `Event` schema, and `{"event", "data"}` matches `Event`
  (the data's JSON matched against the kind's `contentSchema`);
- every kind arrives.

It also checks that `GET /v1/events?terminal=T01` sends T01's current view first. Exits 1 on any mismatch.
Needs PyYAML and jsonschema (both come with Schemathesis).
"""

import json
import socket
import subprocess
import sys
import threading
import time

import jsonschema
import yaml

OPENING = ": cardgate events\n\n"
RIG_PORTS = {"T02": 35967, "D1-in": 35969}


class Stream:
    """One GET /v1/events on the Unix socket, read on a thread of its own (chunked body decoded)."""

    def __init__(self, path: str, query: str = "") -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.sock.sendall(f"GET /v1/events{query} HTTP/1.1\r\nHost: cardgate\r\n\r\n".encode())
        self.raw = b""
        self.head: dict[str, str] = {}
        self.status = 0
        self.body = b""
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return
                with self.lock:
                    self.raw += data
                    self._decode()
        except OSError:
            return

    def _decode(self) -> None:
        if not self.status:
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = self.raw[:end].decode("latin-1").split("\r\n")
            self.status = int(lines[0].split()[1])
            for line in lines[1:]:
                name, _, value = line.partition(":")
                self.head[name.strip().lower()] = value.strip()
            self.raw = self.raw[end + 4 :]
        if self.head.get("transfer-encoding", "").lower() != "chunked":
            self.body += self.raw
            self.raw = b""
            return
        while True:
            line_end = self.raw.find(b"\r\n")
            if line_end < 0:
                return
            size = int(self.raw[:line_end].split(b";")[0], 16)
            if len(self.raw) < line_end + 2 + size + 2:
                return
            self.body += self.raw[line_end + 2 : line_end + 2 + size]
            self.raw = self.raw[line_end + 2 + size + 2 :]
            if size == 0:
                return

    def text(self) -> str:
        with self.lock:
            return self.body.decode("utf-8")

    def close(self) -> None:
        self.sock.close()
        self.thread.join(timeout=2)


def request(path: str, method: str, target: str, body: str | None = None) -> tuple[int, str]:
    """One request on its own connection; the status and the body."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(path)
        payload = body.encode() if body is not None else b""
        head = f"{method} {target} HTTP/1.1\r\nHost: cardgate\r\nConnection: close\r\nContent-Length: {len(payload)}\r\n"
        if body is not None:
            head += "Content-Type: application/json\r\n"
        sock.sendall(head.encode() + b"\r\n" + payload)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), rest.decode("utf-8", "replace")


def split_events(text: str, problems: list[str]) -> list[tuple[str, str]]:
    """The (kind, data) of every complete event after the opening comment; wire-form problems are noted."""
    if not text.startswith(OPENING):
        problems.append(f"the stream does not open with {OPENING!r}: {text[:60]!r}")
        return []
    events = []
    blocks = text[len(OPENING) :].split("\n\n")
    for block in blocks[:-1]:  # the last one is still arriving (or empty)
        lines = block.split("\n")
        if len(lines) != 2 or not lines[0].startswith("event: ") or not lines[1].startswith("data: "):
            problems.append(f"not an `event:` line and a `data:` line: {block[:200]!r}")
            continue
        events.append((lines[0][len("event: ") :], lines[1][len("data: ") :]))
    return events


def validator(spec: dict, name: str) -> jsonschema.protocols.Validator:
    """A validator of components/schemas/NAME, references resolved within the document."""
    root = dict(spec)
    root["$ref"] = f"#/components/schemas/{name}"
    root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return jsonschema.Draft202012Validator(root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def main() -> int:
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    socket_path, spec_path, vcard, card_file, log_dir = sys.argv[1:]
    with open(spec_path, encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    event_schema = spec["components"]["schemas"]["Event"]
    kinds = {}  # kind -> payload schema name, from the document
    for option in event_schema["oneOf"]:
        component = spec["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]]
        kinds[component["properties"]["event"]["const"]] = component["properties"]["data"]["contentSchema"]["$ref"].rsplit("/", 1)[1]
    event_validator = validator(spec, "Event")
    payload_validators = {kind: validator(spec, name) for kind, name in kinds.items()}
    problems: list[str] = []

    # 0. Undo what a fuzzer may have left: released doors (a released door lets everyone through, with no door event).
    for target, body in (("/v1/emergency/restore-doors", "{}"), ("/v1/doors/D1/contact", '{"state":"closed"}')):
        status, answer = request(socket_path, "POST", target, body)
        if status != 200:
            problems.append(f"POST {target} answered {status}: {answer[:200]}")

    # 1. One terminal's stream: its current view first.
    one = Stream(socket_path, "?terminal=T01")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(split_events(one.text(), [])) < 1:
        time.sleep(0.05)
    first = split_events(one.text(), problems)
    one.close()
    if not first or first[0][0] != "terminal" or json.loads(first[0][1]).get("id") != "T01":
        problems.append(f"?terminal=T01 did not send T01's view first: {one.text()[:200]!r}")

    # 2. The whole stream, with every kind of event made to happen.
    stream = Stream(socket_path)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not stream.text().startswith(OPENING):
        time.sleep(0.05)
    cards = []
    try:
        for place, port in RIG_PORTS.items():
            log = open(f"{log_dir}/probe-vcard-{place}.log", "w")
            cards.append(subprocess.Popen([vcard, "insert", "--card", card_file, "--port", str(port), "--no-stdin"],
                                          stdout=log, stderr=subprocess.STDOUT))
            time.sleep(1.5)  # pcscd notices a card within ~0.5 s; the card check follows
        status, body = request(socket_path, "POST", "/v1/emergency/lock-all", '{"reason":"event-probe"}')
        if status != 200:
            problems.append(f"POST /v1/emergency/lock-all answered {status}: {body[:200]}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            seen = {kind for kind, _ in split_events(stream.text(), [])}
            if seen >= set(kinds):
                break
            time.sleep(0.1)
    finally:
        for card in cards:
            card.terminate()
            card.wait(timeout=5)
    time.sleep(1)  # the removals arrive as events too
    stream.close()

    if stream.status != 200:
        problems.append(f"status {stream.status}, expected 200")
    content_type = stream.head.get("content-type", "")
    if content_type.split(";")[0].strip() != "text/event-stream":
        problems.append(f"Content-Type {content_type!r}, expected text/event-stream")
    if stream.head.get("cache-control") != "no-store":
        problems.append(f"Cache-Control {stream.head.get('cache-control')!r}, expected no-store")
    events = split_events(stream.text(), problems)
    counts: dict[str, int] = {}
    for kind, data in events:
        counts[kind] = counts.get(kind, 0) + 1
        for error in event_validator.iter_errors({"event": kind, "data": data}):
            problems.append(f"{kind} event does not match Event: {error.message}")
        if kind not in payload_validators:
            problems.append(f"undocumented event kind {kind!r}")
            continue
        try:
            payload = json.loads(data)
        except json.JSONDecodeError as error:
            problems.append(f"{kind} data is not JSON ({error}): {data[:200]!r}")
            continue
        for error in payload_validators[kind].iter_errors(payload):
            problems.append(f"{kind} data does not match {kinds[kind]}: {error.message} at {list(error.absolute_path)}: {data[:300]}")
    missing = sorted(set(kinds) - set(counts))
    if missing:
        problems.append(f"no {', '.join(missing)} event arrived (seen: {counts})")

    summary = ", ".join(f"{kind} {counts.get(kind, 0)}" for kind in kinds)
    if problems:
        print(f"event probe: {len(events)} events ({summary}); {len(problems)} problem(s):")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(f"event probe: {len(events)} events ({summary}), the opening comment and the ?terminal= view: all match {spec_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
