"""The shared layer ships the closure in shared/layer.txt and nothing else (issue 8, item 15).

`sam build` installs shared/layer.txt with `pip install --no-deps` (shared/Makefile), so a
dependency that a new pin needs would be silently missing in Lambda. These tests install the same
list for this machine into a scratch directory and import every handler from it alone, with only
what the Lambda runtime adds (boto3 and its dependencies).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYER_PINS = ROOT / "shared" / "layer.txt"
REQUIREMENTS = ROOT / "shared" / "requirements.txt"
# What the python3.13 Lambda runtime provides, so the layer must not carry it.
RUNTIME = ("boto3", "botocore", "s3transfer", "dateutil", "six.py")
LEFT_OUT = {"boto3", "botocore", "s3transfer", "python-dateutil", "six", "aws-encryption-sdk"}


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)(\[[^\]]*\])?==(\S+)", line.strip())
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[3]
    return found


def test_every_runtime_requirement_is_in_the_layer_at_its_pinned_version() -> None:
    layer = pins(LAYER_PINS)
    for name, version in pins(REQUIREMENTS).items():
        assert layer.get(name) == version, f"{name}=={version} is missing from shared/layer.txt"
    assert not LEFT_OUT & set(layer), "the layer must not carry what the runtime provides"


@pytest.mark.timeout(300)
def test_every_handler_imports_from_the_layer_alone(tmp_path: Path) -> None:
    layer, runtime = tmp_path / "layer", tmp_path / "runtime"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-compile",
            "--target",
            str(layer),
            "-r",
            str(LAYER_PINS),
        ],
        check=True,
        capture_output=True,
    )
    runtime.mkdir()
    site = Path(__import__("boto3").__file__).parent.parent
    for name in RUNTIME:
        (runtime / name).symlink_to(site / name)
    handlers = sorted(
        f"functions.{path.parent.name}.app" for path in (ROOT / "functions").glob("*/app.py")
    )
    probe = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]: importlib.import_module(name)\n"
        "import simple_salesforce\n"
        "from aws_lambda_powertools.utilities.data_masking import DataMasking\n"
    )
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join([str(layer), str(ROOT), str(runtime)]),
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "false",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    # -S: no site-packages, so nothing from the development virtualenv can fill a gap.
    result = subprocess.run(
        [sys.executable, "-S", "-c", probe, *handlers], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
