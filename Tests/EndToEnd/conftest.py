"""Shared fixtures of the end-to-end tests: the `engram` executable of the debug build, a tiny
model, `engram serve` processes on free loopback ports, and a throw-away PostgreSQL cluster."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

import tiny_model

ROOT = Path(__file__).resolve().parents[2]
ENGRAM = Path(os.environ.get("ENGRAM_BIN", ROOT / ".build" / "debug" / "engram"))


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    return tiny_model.write(tmp_path_factory.mktemp("tiny-model"))


class RunningServer:
    """An `engram serve` process; `log` collects its standard error."""

    def __init__(self, store: Path, model_dir: Path, token=None, arguments=()):
        environment = dict(os.environ)
        environment.pop("ENGRAM_TOKEN", None)
        if token:
            environment["ENGRAM_TOKEN"] = token
        self.token = token
        self.store = store
        self.process = subprocess.Popen(
            [str(ENGRAM), "serve", "--port", "0", "--store", str(store), "--model-dir", str(model_dir), *arguments],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=environment)
        self.log: list[str] = []
        deadline = time.time() + 120
        self.base_url = None
        while self.base_url is None:
            line = self.process.stderr.readline()
            if not line:
                raise RuntimeError("engram serve exited:\n" + "".join(self.log))
            self.log.append(line)
            if "engram serve: listening on " in line:
                self.base_url = line.split("listening on ")[1].split()[0]
            if time.time() > deadline:
                raise RuntimeError("engram serve did not start:\n" + "".join(self.log))
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.process.stderr:
            self.log.append(line)

    def client(self, token="server's") -> httpx.Client:
        token = self.token if token == "server's" else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=60)

    def stop(self, sig=None) -> int:
        if self.process.poll() is None:
            self.process.terminate() if sig is None else self.process.send_signal(sig)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise
        return self.process.returncode


@pytest.fixture
def start_server(tmp_path, model_dir):
    """Starts servers on a per-test store; stops them when the test ends."""
    servers = []

    def start(token=None, arguments=(), store=None):
        server = RunningServer(store or tmp_path / "memory.sqlite", model_dir, token, arguments)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def server(start_server):
    return start_server()


def distinct_text(rng, label=""):
    """A sentence of random words: the tiny model's embeddings of two of them are far apart, so
    that none is taken for another's near-duplicate."""
    words = ("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(8))
    return " ".join(words) + (f" {label}" if label else "")


class PostgresCluster:
    """A throw-away PostgreSQL cluster from the installed server binaries (initdb, pg_ctl) on a
    free loopback port, run as the postgres user when the tests run as root (initdb refuses
    root). Its user's password is planted: the tests check that it never shows."""

    password = "pg-secret-" + os.urandom(4).hex()

    def __init__(self, root: Path):
        self.bin = self._binaries()
        self.root = root
        self.data = root / "data"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            subprocess.run(["chown", "-R", "postgres", str(root)], check=True)
        (root / "password").write_text(self.password)
        if self.as_user:
            subprocess.run(["chown", "postgres", str(root / "password")], check=True)
        self._run("initdb", "-D", str(self.data), "-U", "engram", "--pwfile", str(root / "password"),
                  "--auth", "scram-sha-256", "-E", "UTF8", "--no-sync", "--no-instructions")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.start()

    @staticmethod
    def _binaries() -> Path:
        candidates = []
        if shutil.which("pg_config"):
            candidates.append(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip())
        candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
        for candidate in candidates:
            if os.access(Path(candidate) / "initdb", os.X_OK) and os.access(Path(candidate) / "pg_ctl", os.X_OK):
                return Path(candidate)
        pytest.fail("no PostgreSQL server binaries (initdb, pg_ctl): install them (Debian: apt-get install postgresql)")

    def _run(self, tool, *arguments):
        result = subprocess.run([*self.as_user, str(self.bin / tool), *arguments], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed: {result.stdout}{result.stderr}")

    def start(self):
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60", "-o", options, "start")

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database="postgres"):
        return f"postgres://engram:{self.password}@127.0.0.1:{self.port}/{database}?sslmode=disable"

    def fresh_database(self) -> str:
        name = "e2e_" + os.urandom(4).hex()
        environment = dict(os.environ, PGPASSWORD=self.password)
        subprocess.run([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "engram", name],
                       check=True, env=environment, capture_output=True)
        return self.url(name)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    root = Path(tempfile.mkdtemp(prefix="engram-e2e-pg-"))
    cluster = PostgresCluster(root)
    yield cluster
    try:
        cluster.stop("immediate")
    finally:
        shutil.rmtree(root, ignore_errors=True)
