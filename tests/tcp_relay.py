"""A TCP relay between a client (a console, a CLI verb) and a server's port, which a test
can switch to a black hole: what a cut cable or a dropped VPN looks like to the client.

While relaying, each accepted connection is joined to a new connection to the target and
bytes flow both ways. :meth:`TcpRelay.cut` stops relaying in both directions at once: the
sockets stay open, nothing is sent to either side, nothing is closed (no FIN, no RST), so
the client's reads and writes just hang; connections made during the cut are accepted and
then ignored the same way (a connect that never gets an answer). :meth:`TcpRelay.restore`
relays new connections again; those cut stay dead, as after a real cut. The relay runs in a
thread of its own (its own event loop), so tests drive it from async code and from
processes alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading


class TcpRelay:
    """Relays ``127.0.0.1:port`` to ``target_host:target_port`` until :meth:`close`."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.cuts = 0  # how many times the relay was cut
        self.accepted = 0  # connections accepted so far (cut or not)
        self._open = True  # relaying (else a black hole)
        self._dead: set[asyncio.StreamWriter] = set()  # sockets held open, silent
        self._live: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.port = self._call(self._listen())

    def _call(self, coro):  # run ``coro`` on the relay's loop, wait for its answer
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    async def _listen(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        if not self._open:
            self._dead.add(writer)  # (accepted, never answered)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        pair = (writer, up_writer)
        self._live.add(pair)
        await asyncio.gather(
            self._pump(reader, up_writer, pair), self._pump(up_reader, writer, pair)
        )

    async def _pump(
        self,
        src: asyncio.StreamReader,
        dst: asyncio.StreamWriter,
        pair: tuple[asyncio.StreamWriter, asyncio.StreamWriter],
    ) -> None:
        while True:
            try:
                data = await src.read(65536)
            except OSError:
                data = b""
            if pair not in self._live:
                return  # cut: what came is dropped, nothing is closed
            if not data:
                self._live.discard(pair)
                for w in pair:
                    w.close()
                return
            dst.write(data)
            with contextlib.suppress(OSError):
                await dst.drain()

    # ------------------------------------------------------------------ the switch
    def cut(self) -> None:
        """From now on nothing passes, either way, on any connection (none is closed)."""

        async def go() -> None:
            self._open = False
            self.cuts += 1
            for pair in self._live:
                self._dead.update(pair)
            self._live.clear()

        self._call(go())

    def restore(self) -> None:
        """New connections are relayed again (the cut ones stay dead)."""

        async def go() -> None:
            self._open = True

        self._call(go())

    def close(self) -> None:
        async def go() -> None:
            if self._server is not None:
                self._server.close()
            for w in [*self._dead, *(w for pair in self._live for w in pair)]:
                w.close()

        with contextlib.suppress(Exception):
            self._call(go())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def __enter__(self) -> TcpRelay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
