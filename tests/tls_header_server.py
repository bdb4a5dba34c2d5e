"""An independent TLS WebSocket server for tests/native_tls.rs (Python
`websockets`, installed by scripts/setup.sh).

    python3 tests/tls_header_server.py CERT KEY

Listens on 127.0.0.1, port 0, and prints the port on the first line of
stdout. Refuses the handshake with 401 unless the request carries
`X-Token: abc`; selects the subprotocol `v2` if offered; on each connection
first sends `hello origin=<Origin header> protocol=<subprotocol>`, then
echoes. Stops by itself when its stdin closes (the test ended, whatever
way) or after 120 s.
"""

import asyncio
import http
import ssl
import sys
import threading

from websockets.asyncio.server import serve


def check_token(connection, request):
    if request.headers.get("X-Token") != "abc":
        return connection.respond(http.HTTPStatus.UNAUTHORIZED, "X-Token required\n")
    return None


def select_subprotocol(connection, offered):
    # None when `v2` is not offered: no subprotocol, not a refusal.
    return "v2" if "v2" in offered else None


async def handler(ws):
    origin = ws.request.headers.get("Origin", "")
    await ws.send(f"hello origin={origin} protocol={ws.subprotocol or ''}")
    async for message in ws:
        await ws.send(message)


async def main(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    loop = asyncio.get_running_loop()
    async with serve(
        handler,
        "127.0.0.1",
        0,
        ssl=context,
        process_request=check_token,
        select_subprotocol=select_subprotocol,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(port, flush=True)
        # A daemon thread waits for the end of stdin, so nothing blocks the
        # exit when the time limit comes first.
        stdin_closed = asyncio.Event()
        threading.Thread(
            target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(stdin_closed.set)),
            daemon=True,
        ).start()
        await asyncio.wait_for(stdin_closed.wait(), timeout=120)


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1], sys.argv[2]))
    except asyncio.TimeoutError:
        pass
