"""Start the real server (uvicorn, N worker processes) on a free loopback port, and stop it."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

__all__ = ["free_port", "serving"]

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port free on the loopback interface now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _up(port: int) -> bool:
    connection = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        connection.request("GET", "/health")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextmanager
def serving(env: Mapping[str, str], *, workers: int = 1, wait: float = 60) -> Iterator[str]:
    """``uvicorn --workers N`` serving the app configured by ``env``; yields its base URL.

    Loopback only. The server is stopped (and killed if it lingers) when the block ends.
    """
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("agency-http")), "serve",
        "--host", HOST, "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, env={**os.environ, **env}, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + wait
            while not _up(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read().decode(errors="replace")[-4000:]
                    raise RuntimeError(f"the server did not start:\n{output}")
                time.sleep(0.1)
            yield f"http://{HOST}:{port}"
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
