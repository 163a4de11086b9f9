"""Round trips per second through a WebSocket proxy: argv[1] port, argv[2]
path, argv[3] connections, argv[4] seconds. Each connection does the
handshake, then sends a masked 32-byte text frame and waits for its echo,
again and again; prints the round trips per second of all of them. asyncio
in one process (bench/websocket.sh runs several). Never used by the tests."""
import asyncio
import os
import sys
import time

port, path, connections, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
payload = b"x" * 32
mask = os.urandom(4)
frame = bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
handshake = (f"GET {path} HTTP/1.1\r\nHost: bench.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()


async def one(deadline, counts):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(handshake)
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        raise SystemExit("no 101: " + head.decode("latin-1"))
    count = 0
    while time.monotonic() < deadline:
        writer.write(frame)
        await reader.readexactly(len(frame))
        count += 1
    counts.append(count)
    writer.close()


async def main():
    counts = []
    start = time.monotonic()
    await asyncio.gather(*(one(start + seconds, counts) for _ in range(connections)))
    print(f"{sum(counts) / (time.monotonic() - start):.0f}")

asyncio.run(main())
