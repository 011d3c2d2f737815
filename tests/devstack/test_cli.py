"""`python -m devstack run|demo` in child processes: endpoints file, health, clean SIGTERM stop,
separate state for `make local` and `make demo`, the demo's narrated console."""

import json
import os
import signal
import ssl
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


def test_the_demo_console_is_narration_and_the_functions_logs_go_to_its_log_file(tmp_path):
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
    lines = completed.stdout.splitlines()
    assert not [line for line in lines if line.lstrip().startswith("{")], completed.stdout
    assert "Ctrl-C" not in completed.stdout  # it stops by itself
    log = tmp_path / "demo.log"
    # long lines wrap at word boundaries, and a temporary path's length varies by runner
    told = " ".join(completed.stdout.split())
    assert told.count(f"Logs and metrics of this run: {log}") == 1
    assert f"go to {log}, not here)" in " ".join(" ".join(lines[:6]).split())  # and at the start
    assert '"message": "health asked"' in log.read_text()
    assert completed.stderr == ""
    summary = lines.index("Summary (API calls: what salesbridge spent on each system)")
    rows = lines[summary + 3 :]
    assert rows[0].split() == ["s10_health", "passed"]
    assert rows[1].startswith("  s20_broken") and "failed: AssertionError" in rows[1]
    narration = lines[: lines.index("FAILED s20_broken:")]
    assert all(len(line) <= 100 or str(tmp_path) in line for line in narration)


def start_local_stack(cwd: Path, *extra: str) -> subprocess.Popen:
    """`make local` as a user runs it from `cwd`: default state directory `.local/`."""
    return subprocess.Popen(
        [sys.executable, "-m", "devstack", "run", "--template", str(TEMPLATE), *extra],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_demo_leaves_a_running_local_stack_alone_and_a_second_one_is_refused(tmp_path):
    """Issue 7, defect 9: `make demo` used to delete `make local`'s endpoints file and replace
    its CA, so the running stack's own calls failed TLS verification."""
    local = start_local_stack(tmp_path, "--sandbox", "salesforce")
    endpoints = tmp_path / ".local" / "endpoints.json"
    try:
        deadline = time.monotonic() + 30
        while not endpoints.exists():
            assert local.poll() is None, local.stdout.read()
            assert time.monotonic() < deadline, "the endpoints file never appeared"
            time.sleep(0.05)
        described = json.loads(endpoints.read_text())
        ca = Path(described["ca_bundle"])
        trusted = ca.read_bytes()

        demo = subprocess.run(
            [
                *(sys.executable, "-m", "devstack", "demo", "--template", str(TEMPLATE)),
                *("--sandbox", "salesforce", "--scenarios", "tests.devstack.fixtures.scenarios"),
            ],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "passed s10_health" in demo.stdout, demo.stdout + demo.stderr
        assert ".local/demo/demo.log" in demo.stdout

        assert json.loads(endpoints.read_text()) == described
        assert ca.read_bytes() == trusted
        sandbox = described["sandboxes"]["salesforce"]["base_url"]
        trusting = ssl.create_default_context(cafile=str(ca))
        assert httpx.get(f"{sandbox}/services/data/", verify=trusting).status_code == 200
        assert httpx.get(described["api"]["health_url"]).status_code == 200

        second = start_local_stack(tmp_path, "--no-sandboxes")
        output, _ = second.communicate(timeout=30)
        assert second.returncode == 1, output
        assert (
            f"another local stack (pid {local.pid}) is running with state directory "
            f"{tmp_path / '.local'}; stop it first, or give this one its own with --state-dir"
        ) in output
        assert json.loads(endpoints.read_text()) == described
    finally:
        local.send_signal(signal.SIGTERM)
        local.communicate(timeout=10)
    assert local.returncode == 0
    assert not endpoints.exists()


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
