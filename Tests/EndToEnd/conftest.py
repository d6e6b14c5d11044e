"""Shared fixtures of the end-to-end tests: the `engram` executable of the debug build, a tiny
model, and `engram serve` processes on free loopback ports."""

import os
import subprocess
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
