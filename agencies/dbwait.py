"""A frozen PostgreSQL gives the 503 page within seconds, also on a connection kept between
requests (decision 159).

A server that is stopped (SIGSTOP, a frozen virtual machine) after the connection was made never
answers, while its kernel still acknowledges what is sent: neither TCP keepalives nor the server's
`statement_timeout` notice it, and libpq's `connect_timeout` covers only new connections. With
`CONN_MAX_AGE` a request would wait until gunicorn kills the worker, and the user gets no page.

So psycopg2 waits through this callback (`psycopg2.extensions.set_wait_callback`, installed when
`DATABASE_STALL_SECONDS` is set: production): every wait for the server is a `select()`. After
`DATABASE_STALL_SECONDS` without a byte, the server is asked, on a connection of its own, whether it
is alive (PostgreSQL's one-byte answer to an SSL request, which the postmaster gives at once, busy
or not); one that does not answer within the same time is frozen, and the wait raises
`OperationalError` (psycopg2 then closes the connection): the request gets the 503 page
(`agencies.outage`), and the next one connects afresh. A slow statement on a live server is never
cut here (its `statement_timeout` is the server's to enforce). A new connection waits at most
`DATABASE_CONNECT_TIMEOUT` seconds, which libpq does not enforce once a wait callback is set.
"""

import select
import socket
import time
from typing import Any

_SSL_REQUEST = (8).to_bytes(4, "big") + (80877103).to_bytes(4, "big")


def server_answers(host: str, port: int, timeout: float) -> bool:
    """Whether the PostgreSQL at host:port (or the socket folder `host`) answers an SSL request."""
    try:
        if host.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(f"{host}/.s.PGSQL.{port}")
        else:
            sock = socket.create_connection((host, port), timeout=timeout)
    except OSError:
        return False
    with sock:
        try:
            sock.settimeout(timeout)
            sock.sendall(_SSL_REQUEST)
            return sock.recv(1) in (b"S", b"N")
        except OSError:
            return False


class Waiter:
    """psycopg2's wait callback with the bounds above."""

    def __init__(self, stall_seconds: float, connect_seconds: float) -> None:
        self.stall_seconds = stall_seconds
        self.connect_seconds = connect_seconds

    def __call__(self, conn: Any) -> None:
        import psycopg2  # type: ignore[import-untyped]
        from psycopg2 import extensions

        connecting = conn.status == extensions.STATUS_SETUP
        deadline = time.monotonic() + self.connect_seconds if connecting else None
        while True:
            state = conn.poll()
            if state == extensions.POLL_OK:
                return
            fd = conn.fileno()
            readers, writers = ([fd], []) if state == extensions.POLL_READ else ([], [fd])
            step = self.stall_seconds
            if deadline is not None:
                step = min(step, max(deadline - time.monotonic(), 0.0))
            ready = select.select(readers, writers, [], step)
            if ready[0] or ready[1]:
                continue
            if deadline is not None:
                if time.monotonic() >= deadline:
                    raise psycopg2.OperationalError("timeout expired: the database did not answer the connection")
                continue
            if not server_answers(conn.info.host, conn.info.port, self.stall_seconds):
                raise psycopg2.OperationalError(
                    f"the database has not answered for {2 * self.stall_seconds:g} s and does not answer a new"
                    " connection: it is down or frozen"
                )


def install(stall_seconds: float, connect_seconds: float) -> None:
    """Make every psycopg2 connection of this process wait through `Waiter`."""
    from psycopg2 import extensions

    extensions.set_wait_callback(Waiter(stall_seconds, connect_seconds))
