"""`python -m devstack run|demo`: the local stack in the foreground (see `devstack`).

`python -m devstack trigger <Function>[.<Event>]` runs a schedule of the running stack now
(found through its endpoints file), e.g. `python -m devstack trigger NetsuiteBackstopFunction`.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from devstack import scenarios as scenarios_package
from devstack.stack import DEFAULT_STATE_DIR, LocalStack


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["trigger"]:
        return trigger(argv[1:])
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("botocore", "boto3", "urllib3", "httpx", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    stack = LocalStack(
        args.template,
        sandboxes=args.sandbox or not args.no_sandboxes,
        time_scale=args.time_scale,
        state_dir=args.state_dir,
        endpoints_path=args.endpoints,
        api_port=args.api_port,
        moto_port=args.moto_port,
        run_schedules=args.command == "demo" or args.schedules,
        seed_demo_data=args.command == "demo" or args.demo_data,
    )
    stopping = _stop_on_signals()
    with stack:
        print(summary(stack), flush=True)
        if args.command == "demo":
            return run_demo(stack, _load_scenarios(args.scenarios), say=_say)
        while not stopping.wait(0.2):
            pass
        print("stopping the local stack", flush=True)
    return 0


def trigger(argv: list[str]) -> int:
    """Run one schedule of the running local stack now; prints the function's answer."""
    import json

    from devstack.schedules import trigger_schedule

    parser = argparse.ArgumentParser(
        prog="python -m devstack trigger", description="run a schedule of the local stack now"
    )
    parser.add_argument(
        "schedule", help="Function or Function.EventName, e.g. NetsuiteBackstopFunction"
    )
    parser.add_argument("--endpoints", type=Path, default=DEFAULT_STATE_DIR / "endpoints.json")
    args = parser.parse_args(argv)
    try:
        result = trigger_schedule(json.loads(args.endpoints.read_text()), args.schedule)
    except FileNotFoundError:
        print(f"no local stack: {args.endpoints} does not exist (start one with make local)")
        return 2
    except LookupError as exc:
        print(exc.args[0])
        return 2
    print(json.dumps(result, indent=2, default=str))
    return 0


def summary(stack: LocalStack) -> str:
    lines = [
        f"local stack up; endpoints in {stack.endpoints_path}",
        f"  moto        {stack.moto_url}",
    ]
    for logical_id, api in stack.apis.items():
        lines.append(f"  api         {api.base_url}  ({logical_id}, x-api-key {api.api_key})")
        lines.extend(
            f"    {route.method:6} {route.path} -> {route.function}" for route in api.routes
        )
    for source in stack.sqs_sources:
        lines.append(f"  sqs         {source.queue_arn.rsplit(':', 1)[1]} -> {source.function}")
    for subscription in stack.s3_subscriptions:
        lines.append(f"  s3          {subscription.bucket} -> {subscription.function}")
    for key, schedule in stack.schedules.items():
        lines.append(f"  schedule    {key} {schedule.expression}")
    for name, sandbox in stack.sandboxes.items():
        lines.append(f"  sandbox     {name:11} {sandbox.base_url}")
    skipped = [lid for lid, r in stack.resources.items() if r.skipped]
    if skipped:
        lines.append(f"  not created (in-process or not local): {', '.join(skipped)}")
    lines.append("Ctrl-C stops it.")
    return "\n".join(lines)


def run_demo(
    stack: LocalStack, scenarios: list[tuple[str, Any]], say: Callable[[str], None]
) -> int:
    """Run each scenario in order; 1 if any failed (the stack seeded the sandboxes)."""
    for name in stack.demo_seeded:
        say(f"the {name} sandbox holds its demo company")
    if not scenarios:
        say("no scenarios in devstack/scenarios yet")
    failures = 0
    for name, run in scenarios:
        say(f"--- scenario {name}")
        try:
            run(stack, say)
        except Exception:
            failures += 1
            say(f"FAILED {name}:\n{traceback.format_exc()}")
        else:
            say(f"passed {name}")
    say(f"{len(scenarios) - failures} of {len(scenarios)} scenario(s) passed")
    return 1 if failures else 0


def _say(text: str) -> None:
    print(text, flush=True)


def _load_scenarios(package_name: str | None) -> list[tuple[str, Any]]:
    if package_name is None:
        return scenarios_package.discover()
    import importlib

    return scenarios_package.discover(importlib.import_module(package_name))


def _stop_on_signals() -> threading.Event:
    """Ctrl-C and SIGTERM both ask for a clean stop (the `with` block then closes everything)."""
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if stopping.is_set():  # a second Ctrl-C: the user insists
            raise KeyboardInterrupt
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    return stopping


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    parser.add_argument("command", choices=["run", "demo"])
    parser.add_argument("--template", type=Path, default=Path("template.yaml"))
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="shrink visibility timeouts, retries and schedule rates (e.g. 0.01)",
    )
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    parser.add_argument(
        "--endpoints",
        type=Path,
        default=None,
        help="where to write the endpoints file (default STATE_DIR/endpoints.json)",
    )
    parser.add_argument("--api-port", type=int, default=0)
    parser.add_argument("--moto-port", type=int, default=0)
    parser.add_argument("--no-sandboxes", action="store_true")
    parser.add_argument("--sandbox", action="append", help="start only these (repeatable)")
    parser.add_argument(
        "--schedules",
        action="store_true",
        help="run rate() schedules at their (scaled) rate, as demo does",
    )
    parser.add_argument(
        "--demo-data", action="store_true", help="seed the sandboxes' demo company, as demo does"
    )
    parser.add_argument(
        "--scenarios", default=None, help="package of demo scenarios (default devstack.scenarios)"
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


if __name__ == "__main__":
    sys.exit(main())
