"""Cold start and size of every function in template.yaml.

- `init_ms.<Function>`: median over 5 fresh interpreters of the time to import the handler
  module, with the function's environment and tracing on, as Lambda's init phase does. The
  interpreter's own start-up is excluded (it is the runtime's, the same for every function).
- `artifact_mb.<Resource>` / `artifact_zip_mb.<Resource>`: size of what `sam build` produced for
  each function and layer, unpacked and zipped (what is uploaded).
Targets: receivers (API-facing functions that only validate and enqueue) at most 300 ms and
never importing simple-salesforce; workers at most 700 ms.
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from devstack.template import Evaluator, Template, load_template

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / ".aws-sam" / "build"
RUNS = 5
TARGET_MS = {"receiver": 300.0, "worker": 700.0}

PROBE = """
import importlib, sys, time
start = time.perf_counter()
importlib.import_module(sys.argv[1])
elapsed = (time.perf_counter() - start) * 1000
print(elapsed, int("simple_salesforce" in sys.modules))
"""


def short_name(logical_id: str) -> str:
    return logical_id.removesuffix("Function")


def role(function: dict[str, Any]) -> str:
    events = (function.get("Properties", {}).get("Events") or {}).values()
    return "receiver" if all(e.get("Type") == "Api" for e in events) else "worker"


def environment(template: Template, function: dict[str, Any]) -> dict[str, str]:
    """The function's variables, resources named by placeholders (imports must not need them)."""
    evaluator = Evaluator(
        template,
        ref_resource=lambda logical_id: f"placeholder-{logical_id}",
        get_att=lambda logical_id, attribute: f"placeholder-{logical_id}-{attribute}",
    )
    variables = function.get("Properties", {}).get("Environment", {}).get("Variables", {})
    env = {k: str(v) for k, v in evaluator.resolve(variables).items()}
    return {
        **os.environ,
        **env,
        "POWERTOOLS_TRACE_DISABLED": "false",
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def measure_init(module: str, env: dict[str, str]) -> tuple[float, bool]:
    timings, imported_salesforce = [], False
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", PROBE, module],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        timings.append(float(out[0]))
        imported_salesforce |= out[1] == "1"
    return statistics.median(timings), imported_salesforce


def size_mb(directory: Path) -> tuple[float, float]:
    files = [p for p in directory.rglob("*") if p.is_file()]
    unpacked = sum(p.stat().st_size for p in files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(directory))
    return unpacked / 1_048_576, buffer.tell() / 1_048_576


def run() -> dict[str, float]:
    template = load_template(ROOT / "template.yaml")
    figures: dict[str, float] = {}
    functions = template.of_type("AWS::Serverless::Function")
    for logical_id, function in sorted(functions.items()):
        handler = function["Properties"]["Handler"].rsplit(".", 1)[0]
        kind = role(function)
        median, pulls_salesforce = measure_init(handler, environment(template, function))
        name = short_name(logical_id)
        figures[f"init_ms.{name}"] = round(median, 1)
        verdict = "ok" if median <= TARGET_MS[kind] else "OVER TARGET"
        if kind == "receiver" and pulls_salesforce:
            verdict = "IMPORTS simple-salesforce"
        print(
            f"  {name:<28} {kind:<8} init {median:7.1f} ms "
            f"(target {TARGET_MS[kind]:.0f})  {verdict}"
        )
    for logical_id in sorted([*functions, *template.of_type("AWS::Serverless::LayerVersion")]):
        built = BUILD / logical_id
        if not built.is_dir():
            print(f"  {logical_id}: not built (run sam build)")
            continue
        unpacked, zipped = size_mb(built)
        figures[f"artifact_mb.{short_name(logical_id)}"] = round(unpacked, 3)
        figures[f"artifact_zip_mb.{short_name(logical_id)}"] = round(zipped, 3)
        print(f"  {logical_id:<28} artifact {unpacked:7.2f} MB unpacked, {zipped:6.2f} MB zipped")
    return figures
