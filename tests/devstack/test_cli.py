"""`python -m devstack run` in a child process: endpoints file, health, clean SIGTERM stop."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.devstack.conftest import TEMPLATE

REPO = Path(__file__).resolve().parents[2]


def test_run_serves_until_sigterm_then_stops_cleanly(tmp_path):
    endpoints = tmp_path / "endpoints.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devstack",
            "run",
            "--template",
            str(TEMPLATE),
            "--no-sandboxes",
            "--state-dir",
            str(tmp_path),
            "--endpoints",
            str(endpoints),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not endpoints.exists():
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, "the endpoints file never appeared"
            time.sleep(0.05)
        described = json.loads(endpoints.read_text())
        assert described["pid"] == process.pid
        assert httpx.get(described["api"]["health_url"]).status_code == 200
        assert httpx.get(described["api"]["base_url"] + "/health").json() == {"ok": True}

        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert time.monotonic() - started < 5
    assert "local stack up" in output
    assert not endpoints.exists()
    refused = httpx.Client(timeout=1)
    try:
        refused.get(described["api"]["health_url"])
        raise AssertionError("the API still answers after stop")
    except httpx.ConnectError:
        pass


def test_demo_runs_the_scenarios_and_exits_non_zero_when_one_fails(tmp_path):
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "devstack",
            "demo",
            "--template",
            str(TEMPLATE),
            "--no-sandboxes",
            "--state-dir",
            str(tmp_path),
            "--scenarios",
            "tests.devstack.fixtures.scenarios",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 1, completed.stdout + completed.stderr
    output = completed.stdout
    assert "health answered {'ok': True}" in output
    assert "passed s10_health" in output
    assert "FAILED s20_broken" in output
    assert "1 of 2 scenario(s) passed" in output
    assert not (tmp_path / "endpoints.json").exists()


@pytest.mark.skipif(not (REPO / "template.yaml").exists(), reason="no template.yaml yet")
def test_the_projects_own_template_starts_and_serves_health(tmp_path):
    """Smoke test of the real template.yaml (in a child: moto's state is per process)."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "devstack",
            "demo",
            "--no-sandboxes",
            "--state-dir",
            str(tmp_path),
            "--scenarios",
            "tests.devstack.fixtures.scenarios",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "passed s10_health" in completed.stdout, completed.stdout + completed.stderr
