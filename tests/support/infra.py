"""Where the tests get a real Kafka broker and a real PostgreSQL.

In this order: the environment (LIANDONG_TEST_KAFKA_BOOTSTRAP, LIANDONG_TEST_DATABASE_URL); testcontainers where a
Docker engine answers; otherwise the project's own local broker (deploy/kafka/kafka.sh, Java + Maven) and a private
PostgreSQL cluster made with the server binaries on this machine. A broker given by the environment is reached as
its admin principal (LIANDONG_KAFKA_ADMIN_PASSWORD, LIANDONG_KAFKA_SECURITY_PROTOCOL; the development ones by
default) and provisioned like a deployment's (`python -m liandong kafka provision`): topics, and the services' ACLs.
When none of these is possible the tests that
need it are skipped locally, and fail in CI (CI=true): a real-broker test never silently skips there.

`make test` runs on two pytest-xdist workers. The end-to-end stacks of two workers would share the topics' and the
consumer groups' names, so a broker serves one worker: the broker the environment gives serves the first, and each
other worker has a broker of its own (a container, or the local broker). PostgreSQL is shared: every test makes
databases of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiokafka import TopicPartition
from aiokafka.client import AIOKafkaClient

from liandong.aio import bounded
from liandong.contracts.topics import catalogue
from liandong.messaging.acls import provision
from liandong.messaging.admin import broker_count, ensure_topics
from liandong.messaging.kafka import KafkaConnection, admin_connection
from liandong.runtime import consumed_topics
from tests.support.ports import free_ports

REPO = Path(__file__).resolve().parents[2]
KAFKA_SCRIPT = REPO / "deploy" / "kafka" / "kafka.sh"


def unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"required test infrastructure missing in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def docker_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


class LocalBroker:
    """A real single-node KRaft broker started with deploy/kafka/kafka.sh on private ports and data dir; with `tls`,
    listening over SASL_SSL with the certificate kafka.sh makes in data_dir/tls (its CA: `ca_file`)."""

    def __init__(self, data_dir: Path, *, tls: bool = False) -> None:
        self.port, self.controller_port = free_ports(2)
        self.data_dir = data_dir
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.tls_dir = data_dir / "tls" if tls else None
        self.provisioned = False

    @property
    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "KAFKA_DATA_DIR": str(self.data_dir),
        }
        if self.tls_dir is not None:
            env["KAFKA_TLS_DIR"] = str(self.tls_dir)
        return env

    @property
    def ca_file(self) -> str:
        return str(self.tls_dir / "ca.crt") if self.tls_dir is not None else ""

    @property
    def admin(self) -> KafkaConnection:
        """The broker's provisioning principal (development password)."""
        if self.tls_dir is None:
            return admin_connection(self.bootstrap, {})
        return admin_connection(
            self.bootstrap, {"LIANDONG_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "LIANDONG_KAFKA_SSL_CAFILE": self.ca_file}
        )

    def start(self) -> None:
        """Start the broker; the first start also provisions its topics and ACLs."""
        subprocess.run(["bash", str(KAFKA_SCRIPT), "start"], check=True, env=self.env, timeout=600)
        if not self.provisioned:
            provision_broker(self.admin)
            self.provisioned = True

    def stop(self) -> None:
        subprocess.run(["bash", str(KAFKA_SCRIPT), "stop"], check=True, env=self.env, timeout=120)

    def running(self) -> bool:
        return subprocess.run(["bash", str(KAFKA_SCRIPT), "status"], env=self.env).returncode == 0

    @property
    def pid(self) -> int | None:
        try:
            return int((self.data_dir / "broker.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; the next start recovers from the log."""
        pid = self.pid
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


class LocalCluster:
    """A KRaft cluster of `size` nodes (each broker and controller) from deploy/kafka/kafka.sh cluster, on private
    consecutive ports and data dirs; the same SASL principals and ACLs as the single broker."""

    def __init__(self, data_dir: Path, size: int = 3) -> None:
        self.size = size
        self.port = consecutive_free_ports(2 * size)  # clients on the first `size`, controllers on the rest
        self.data_dir = data_dir
        self.bootstrap = ",".join(f"127.0.0.1:{self.port + i}" for i in range(size))
        self.provisioned = False

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "KAFKA_PORT": str(self.port),
            "KAFKA_DATA_DIR": str(self.data_dir),
            "KAFKA_CLUSTER_SIZE": str(self.size),
        }

    @property
    def nodes(self) -> list[int]:
        return list(range(1, self.size + 1))

    @property
    def admin(self) -> KafkaConnection:
        return admin_connection(self.bootstrap, {})

    def cluster(self, *args: str) -> None:
        subprocess.run(["bash", str(KAFKA_SCRIPT), "cluster", *args], check=True, env=self.env, timeout=600)

    def start(self) -> None:
        """Every node (those already running are left); the first start provisions topics and ACLs."""
        self.cluster("start")
        if not self.provisioned:
            provision_broker(self.admin)
            self.provisioned = True

    def stop(self) -> None:
        self.cluster("stop")

    def pid(self, node: int) -> int | None:
        try:
            return int((self.data_dir / f"node-{node}" / "broker.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def kill(self, node: int | None = None) -> None:
        """SIGKILL a node (the first if none is named)."""
        self.cluster("kill-node", str(node or 1))

    def start_node(self, node: int) -> None:
        self.cluster("start-node", str(node))

    def leaders(self, topic_names: Sequence[str], within: float = 20.0) -> dict[tuple[str, int], int]:
        """The leader of each partition of these topics (-1: none), asked of whichever broker answers: while a node is
        down a client sent to it would fail, so each attempt tries every node it knows, until `within` seconds."""

        async def ask() -> dict[tuple[str, int], int]:
            client = AIOKafkaClient(**self.admin.client_kwargs(), request_timeout_ms=5_000)
            try:
                await bounded(client.bootstrap(), 10, "bootstrapping a metadata client")
                metadata = await bounded(client.fetch_all_metadata(), 10, "reading the cluster's metadata")
            finally:
                await client.close()
            found: dict[tuple[str, int], int] = {}
            for topic in topic_names:
                for partition in metadata.partitions_for_topic(topic) or set():
                    leader = metadata.leader_for_partition(TopicPartition(topic, partition))
                    found[(topic, partition)] = -1 if leader is None else int(leader)
            if not found:
                raise RuntimeError(f"no partitions known for {list(topic_names)}")
            return found

        deadline = time.monotonic() + within
        while True:
            try:
                return asyncio.run(ask())
            except Exception:
                if time.monotonic() >= deadline:
                    raise
            time.sleep(0.5)  # the next poll of the metadata


def consecutive_free_ports(count: int) -> int:
    """The first of `count` consecutive ports nothing listens on (kafka.sh cluster takes the ports after one)."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randint(20_000, 60_000)
        sockets = []
        try:
            for port in range(base, base + count):
                probe = socket.socket()
                sockets.append(probe)
                probe.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for probe in sockets:
                probe.close()
    raise RuntimeError(f"no {count} consecutive free ports")


def can_run_local_broker() -> bool:
    return shutil.which("java") is not None and (
        shutil.which("mvn") is not None or bool(glob.glob(os.path.expanduser("~/.cache/liandong/kafka-*/libs")))
    )


def provision_broker(connection: KafkaConnection) -> None:
    """Topics and the services' ACLs, as a deployment has them (a broker without authentication gets topics only),
    replicated on as many brokers as there are, up to 3."""

    async def run() -> None:
        factor = min(3, await broker_count(connection))  # as `python -m liandong kafka provision` chooses
        if connection.authenticated:
            await provision(connection, consumed_topics(), partitions=6, replication_factor=factor)
        else:
            await ensure_topics(connection, catalogue(), partitions=6, replication_factor=factor)

    asyncio.run(run())


@contextmanager
def kafka_broker(tmp: Path) -> Iterator[KafkaConnection]:
    """The session's broker, as its admin principal, provisioned."""
    given = os.environ.get("LIANDONG_TEST_KAFKA_BOOTSTRAP")
    if given and os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0":  # a broker to each worker (above)
        connection = admin_connection(given)
        provision_broker(connection)
        yield connection
        return
    if docker_available():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer().with_kraft() as container:
            connection = KafkaConnection(container.get_bootstrap_server(), security_protocol="PLAINTEXT")
            provision_broker(connection)
            yield connection
        return
    if not can_run_local_broker():
        unavailable(
            "no Kafka broker: set LIANDONG_TEST_KAFKA_BOOTSTRAP, or install Java 17 and Maven"
            + (" (a broker to each pytest-xdist worker: with only the given one, TEST_WORKERS=1)" if given else "")
        )
    broker = LocalBroker(tmp)
    broker.start()
    try:
        yield broker.admin
    finally:
        broker.stop()


def postgres_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class LocalPostgres:
    """A private PostgreSQL cluster from the machine's server binaries, which a test may stop, restart and kill."""

    def __init__(self, tmp: Path | None = None) -> None:
        """`tmp`: a directory the postgres user may reach (not under pytest's own, which only root may enter); by
        default one of its own in the system's temporary directory, removed by `remove()`."""
        bindir = postgres_binaries()
        if bindir is None:
            unavailable("no PostgreSQL: set LIANDONG_TEST_DATABASE_URL or install postgresql")
            raise AssertionError("unreachable")
        self.own_dir = tmp is None
        tmp = tmp or Path(tempfile.mkdtemp(prefix="liandong-pg-"))
        self.bindir, self.tmp, self.data = bindir, tmp, tmp / "pgdata"
        (self.port,) = free_ports(1)
        self.as_user: list[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []  # not as root

    @property
    def admin_url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args], check=True,
                       capture_output=True)  # fmt: skip

    def init(self) -> None:
        self.data.mkdir(parents=True)
        if self.as_user:
            shutil.chown(self.tmp, "postgres")
            shutil.chown(self.data, "postgres")
        subprocess.run(
            [*self.as_user, str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
             "--no-sync"],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._ctl("-l", str(self.tmp / "pg.log"), "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove(self) -> None:
        """Stop the server if it runs, and remove its directory if it made it."""
        if self.running():
            self.stop()
        if self.own_dir:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def running(self) -> bool:
        status = subprocess.run(
            [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "status"], capture_output=True
        )
        return status.returncode == 0


@contextmanager
def postgres_server(tmp: Path) -> Iterator[str]:
    """Yields an admin URL (postgresql+asyncpg://…/postgres) of a server where tests may create databases."""
    given = os.environ.get("LIANDONG_TEST_DATABASE_URL")
    if given:
        yield given
        return
    if docker_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver="asyncpg") as container:
            yield container.get_connection_url()
        return
    server = LocalPostgres(tmp)
    server.init()
    server.start()
    try:
        yield server.admin_url
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()


def wait_until(predicate: object, timeout: float, interval: float = 0.1, message: str = "condition") -> None:
    """Poll a synchronous predicate until it is truthy (never a fixed sleep)."""
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
