#!/usr/bin/env python3
"""A TCP-to-Unix-socket bridge for HTTP tools that cannot reach a Unix socket (Schemathesis).

    unix-bridge.py SOCKET PORT_FILE

Listens on 127.0.0.1 on a free port, writes the port to PORT_FILE once it listens, and copies the bytes of every
accepted connection to a new connection on SOCKET and back, unchanged (no HTTP parsing: the daemon sees exactly
what the client sent). When either side closes, both are closed, so the daemon sees a client that leaves the way a
direct client would look. The daemon knows its caller from SO_PEERCRED: through the bridge, that is the account
running the bridge. Stops on SIGTERM or SIGINT. Standard library only.
"""

import asyncio
import os
import signal
import sys


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass


async def serve(socket_path: str, port_file: str) -> None:
    async def bridge(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_unix_connection(socket_path)
        except OSError as error:
            print(f"unix-bridge: cannot connect to {socket_path}: {error}", file=sys.stderr)
            client_writer.close()
            return
        tasks = [
            asyncio.create_task(pipe(client_reader, upstream_writer)),
            asyncio.create_task(pipe(upstream_reader, client_writer)),
        ]
        # Either side closing ends both: the other direction has nothing left to say.
        _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for writer in (upstream_writer, client_writer):
            try:
                writer.close()
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass

    server = await asyncio.start_server(bridge, host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    temporary = port_file + ".tmp"
    with open(temporary, "w") as handle:
        handle.write(f"{port}\n")
    os.replace(temporary, port_file)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


def main() -> None:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    asyncio.run(serve(sys.argv[1], sys.argv[2]))


if __name__ == "__main__":
    main()
