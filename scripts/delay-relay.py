"""A TCP relay that delays every byte by a fixed one-way delay in each direction, for scripts/netem-sweep.sh on
kernels without the netem qdisc (CONFIG_NET_SCH_NETEM unset): the link's rate comes from tc's tbf on the veth
pair, its propagation delay from this relay.

    python3 scripts/delay-relay.py --listen 10.77.0.2:8001 --target 127.0.0.1:8000 --delay-ms 40

Each chunk read from one side is written to the other side `delay` seconds after it arrived (order kept; a chunk
that arrives while earlier ones wait is not delayed further by them), so a message of n bytes sent over a link of
rate R arrives delay + n/R after it was sent, as over netem's `delay`. Both sockets use TCP_NODELAY. Unlike netem,
the relay terminates TCP: the sender's congestion window grows against the relay, not across the delay, so the
slow start of a new connection over a long path is not reproduced (gpz edge keeps its connections open). Standard
library only; it listens only where it is told (the script gives it its namespace's address).
"""
from __future__ import annotations

import argparse
import asyncio
import socket
import sys


def parse_address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def receive() -> None:
        while True:
            try:
                data = await reader.read(65536)
            except (ConnectionError, OSError):
                data = b""
            await queue.put((loop.time() + delay, data))
            if not data:
                return

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()
            except (ConnectionError, OSError):
                return

    await asyncio.gather(receive(), deliver())


async def handle(client_reader, client_writer, target, delay):
    try:
        server_reader, server_writer = await asyncio.open_connection(*target)
    except OSError:
        client_writer.close()
        return
    for writer in (client_writer, server_writer):
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        await asyncio.gather(forward(client_reader, server_writer, delay),
                             forward(server_reader, client_writer, delay))
    finally:
        for writer in (client_writer, server_writer):
            writer.close()


async def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="HOST:PORT to listen on")
    parser.add_argument("--target", required=True, help="HOST:PORT to relay to")
    parser.add_argument("--delay-ms", type=float, required=True, help="one-way delay per direction, milliseconds")
    args = parser.parse_args(argv)
    host, port = parse_address(args.listen)
    target = parse_address(args.target)
    delay = args.delay_ms / 1000
    server = await asyncio.start_server(lambda r, w: handle(r, w, target, delay), host, port)
    print(f"delay-relay: {args.listen} -> {args.target}, {args.delay_ms} ms each way", file=sys.stderr, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
