"""The PostgreSQL backend: a connection pool shared by the request threads of
one service process; any number of processes may share the database (see
storage.py for what makes that correct)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from .schema import migrate_postgres
from .storage import Storage, Tx, Unavailable, one_line


class PostgresStorage(Storage):
    postgres = True

    def __init__(self, url: str, pool_size: int = 10) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool

        scheme = url.split("://", 1)[0] if "://" in url else ""
        if scheme not in ("postgresql", "postgres"):  # what psycopg makes of another would puzzle more than help
            raise ConnectionError(f"expected a postgresql:// URL, got {scheme + '://' if scheme else repr(url[:20])}")
        self.where = url.split("@")[-1].split("?")[0]  # never the password
        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as err:
            raise ConnectionError(f"cannot connect to {self.where}: {one_line(err)}") from None
        try:
            with conn:
                migrate_postgres(conn)
        except psycopg.Error as err:
            raise ConnectionError(f"{self.where}: cannot bring the schema up to date: {one_line(err)}") from None
        self.months: set[str] = set()  # months whose partition this process has seen exist (a cache only)
        self.pool = ConnectionPool(url, min_size=2, max_size=pool_size, kwargs={"autocommit": True},
                                   timeout=10, open=True, name="ailedger")

    @contextmanager
    def tx(self) -> Iterator[Tx]:
        import psycopg
        from psycopg_pool import PoolTimeout

        try:
            with self.pool.connection() as conn, conn.transaction():
                yield Tx(conn, postgres=True)
        except PoolTimeout as err:
            raise Unavailable(f"no database connection free within {self.pool.timeout:g} s") from err
        except psycopg.OperationalError as err:
            raise Unavailable(f"database {self.where}: {one_line(err)[:200]}") from err

    def prepare(self, received: str) -> None:
        """The partition for the month of `received` exists (checked once per month per process)."""
        from . import partitions

        month = partitions.month_of(received)
        if month in self.months:
            return
        with self.tx() as t:  # ahead too, so the turn of the month waits on nothing
            partitions.ensure(t, month)
            partitions.ensure(t, partitions.next_month(month))
        self.months.add(month)

    def collided(self, err: Exception) -> bool:
        from psycopg import errors

        cause = err.__cause__ if isinstance(err, Unavailable) else err
        return isinstance(cause, (errors.SerializationFailure, errors.DeadlockDetected, errors.UniqueViolation))

    def close(self) -> None:
        self.pool.close()
