"""Real broken servers on 127.0.0.1 for outage tests (no mocks: the sockets are real).

* ``closed_port()``: a port nothing listens on (connections are refused at once).
* ``running_silent_server()``: a TCP server that accepts every connection and never answers,
  like a hung Redis or a broker behind a stuck proxy. It keeps the connections it accepted
  and gives its address as a Redis URL (``redis://127.0.0.1:<port>/0``).
* ``running_tcp_proxy(port, upstream)``: forwards ``port`` to a real server, to bring a
  server "back" on an address that was refusing connections.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tests.smtp_sink import free_port


def closed_port() -> int:
    """A port that was free a moment ago: connecting to it is refused."""
    return free_port()


class SilentServer:
    """Accepts connections, reads nothing, answers nothing, until stopped."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self._listener = socket.create_server((self.host, 0), backlog=64)
        self._listener.settimeout(0.1)  # so the accept loop notices stop()
        self._stopped = threading.Event()
        self.port = self._listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept_forever, daemon=True)
        self._thread.start()

    @property
    def redis_url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def _accept_forever(self) -> None:
        while not self._stopped.is_set():
            try:
                peer, _address = self._listener.accept()
            except TimeoutError:
                continue
            self.accepted.append(peer)

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        self._listener.close()
        for peer in self.accepted:
            peer.close()


@contextmanager
def running_silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    try:
        yield server
    finally:
        server.stop()


class TcpProxy:
    """Listens on ``port`` and pipes every connection to ``upstream`` (host, port)."""

    def __init__(self, port: int, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", port), backlog=64)
        self._listener.settimeout(0.1)
        self._stopped = threading.Event()
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept_forever, daemon=True)
        self._thread.start()

    def _accept_forever(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            server = socket.create_connection(self.upstream, timeout=5)
            client.settimeout(None)
            server.settimeout(None)
            self._sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass  # one side closed: the other pipe ends too
        finally:
            target.close()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        self._listener.close()
        for sock in self._sockets:
            sock.close()


@contextmanager
def running_tcp_proxy(port: int, upstream: tuple[str, int]) -> Iterator[TcpProxy]:
    proxy = TcpProxy(port, upstream)
    try:
        yield proxy
    finally:
        proxy.stop()
