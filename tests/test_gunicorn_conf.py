"""gunicorn.conf.py as gunicorn runs it: two instances on one host do not share state."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(home: Path, **env: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if key != "XDG_RUNTIME_DIR"} | {
        "HOME": str(home),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESS_LOG": "false",
        "DJANGO_DEBUG": "true",
        **env,
    }
    process = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "think_tank.wsgi"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return process, port
        except urllib.error.HTTPError:
            return process, port  # it answered
        except OSError:
            if process.poll() is not None:
                raise AssertionError(process.stderr.read().decode()) from None
            time.sleep(0.2)
    process.kill()
    raise AssertionError("gunicorn did not answer in 30 s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed in this venv")
def test_two_instances_run_side_by_side_without_a_shared_control_socket(tmp_path):
    first, _ = serve(tmp_path)
    second, _ = serve(tmp_path)
    try:
        assert first.poll() is None and second.poll() is None
        assert not (tmp_path / ".gunicorn").exists()
    finally:
        stop(first)
        stop(second)


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed in this venv")
def test_a_control_socket_is_made_where_the_setting_says(tmp_path):
    path = tmp_path / "run" / "site.ctl"
    path.parent.mkdir()
    process, _ = serve(tmp_path, GUNICORN_CONTROL_SOCKET=str(path))
    try:
        deadline = time.monotonic() + 10
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert path.is_socket()
    finally:
        stop(process)
    assert not (tmp_path / ".gunicorn").exists()
