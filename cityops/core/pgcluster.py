"""Throwaway PostgreSQL clusters of our own (initdb + pg_ctl): a primary, and streaming replicas of
it made with ``pg_basebackup``. One place for what the fault tests (a database restart, a replica
lost) and the loopback production topology (``scripts/cluster.py``) need from PostgreSQL's own
tools; nothing here is used by the platform at run time.

initdb refuses root, so as root the tools run as the ``postgres`` user (``runuser``).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg


class PgToolsMissing(RuntimeError):
    """PostgreSQL's server tools cannot run here (a test skips with this reason)."""


def pg_bin_dir() -> Path:
    for found in (shutil.which("pg_ctl"), "/usr/local/bin/pg_ctl"):
        if found and Path(found).exists():
            folder = Path(found).resolve().parent
            if (folder / "initdb").exists():
                return folder
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / "initdb").exists():
            return folder
    raise PgToolsMissing("no PostgreSQL server binaries (pg_ctl, initdb) on this machine")


def run_as_prefix() -> list[str]:
    """The command prefix that runs PostgreSQL's tools as a non-root user when we are root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PgToolsMissing("running as root and there is no postgres user") from None
    if shutil.which("runuser") is None:
        raise PgToolsMissing("running as root without runuser to run initdb as postgres")
    return ["runuser", "-u", "postgres", "--"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PgCluster:
    """One cluster: ``data`` its folder, listening on 127.0.0.1:``port`` (trust auth)."""

    data: Path
    port: int
    bin: Path = field(default_factory=pg_bin_dir)
    as_user: list[str] = field(default_factory=run_as_prefix)

    def _run(self, *args: str, timeout: float = 120, **kwargs: Any) -> None:
        # A session of its own: the server must not die with the caller's process group (a
        # test runner or a bench interrupted with Ctrl-C or by `timeout`).
        subprocess.run(  # noqa: S603 (PostgreSQL's own tools, arguments of ours)
            [*self.as_user, *args], check=True, capture_output=True, timeout=timeout,
            start_new_session=True, **kwargs,
        )  # fmt: skip

    def _own(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.as_user:
            owner = pwd.getpwnam("postgres")
            os.chown(folder, owner.pw_uid, owner.pw_gid)

    def init(self, *, settings: dict[str, str] | None = None) -> PgCluster:
        """A new cluster that accepts replication connections from loopback."""
        self._own(self.data.parent)
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        conf = {"listen_addresses": "'127.0.0.1'", "wal_level": "replica",
                "max_wal_senders": "10", "hot_standby": "on", **(settings or {})}  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as out:
            out.writelines(f"{key} = {value}\n" for key, value in conf.items())
        with (self.data / "pg_hba.conf").open("a") as out:
            out.write("host replication all 127.0.0.1/32 trust\n")
        return self

    def replica(self, data: Path, port: int | None = None) -> PgCluster:
        """A streaming replica of this (running) cluster: ``pg_basebackup -R`` into ``data``."""
        standby = PgCluster(data=data, port=port or free_port(), bin=self.bin, as_user=self.as_user)
        self._own(data.parent)
        self._run(
            str(self.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.port),
            "-U", "postgres", "-D", str(data), "-R", "-X", "stream", "-c", "fast", "--no-sync",
        )  # fmt: skip
        return standby

    def ctl(self, *args: str, timeout: float = 60) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), *args, timeout=timeout)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c fsync=off"
        self.ctl("-o", options, "-l", str(self.data / "server.log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.ctl("-m", mode, "-w", "stop")

    def running(self) -> bool:
        try:
            self.ctl("status")
        except subprocess.CalledProcessError:
            return False
        return True

    def destroy(self) -> None:
        if self.running():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.stop("immediate")
        shutil.rmtree(self.data, ignore_errors=True)

    def url(self, dbname: str = "cityops") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "cityops") -> psycopg.Connection[Any]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True,
            connect_timeout=5,
        )  # fmt: skip

    def create_database(self, name: str = "cityops") -> None:
        with self.connect("postgres") as admin:
            admin.execute(f'CREATE DATABASE "{name}"')

    def copy_schema_from(self, source: dict[str, Any], dbname: str = "cityops") -> None:
        """Tables and rows of another database (a Django ``settings_dict``) into ``dbname``."""
        dump = subprocess.run(  # noqa: S603 (PostgreSQL's own tools)
            [str(self.bin / "pg_dump"), "-h", source.get("HOST") or "127.0.0.1",
             "-p", str(source.get("PORT") or 5432), "-U", source["USER"], "--no-owner",
             source["NAME"]],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        subprocess.run(  # noqa: S603
            [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", dbname, "-q", "-v", "ON_ERROR_STOP=1"],
            input=dump.stdout, check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def wait_ready(self, dbname: str = "postgres", seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                with self.connect(dbname):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
