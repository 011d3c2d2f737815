"""`python -m devstack run|demo`: the local stack in the foreground (see `devstack`).

`python -m devstack trigger <Function>[.<Event>]` runs a schedule of the running stack now
(found through its endpoints file), e.g. `python -m devstack trigger NetsuiteBackstopFunction`.

`run` (`make local`) keeps its state in `.local/` and logs to the console; `demo` (`make demo`)
keeps its own in `.local/demo/`, so a demo never touches a running `make local`. The demo's
console is a narrated story: the functions' JSON logs and EMF metrics, and the stack's own
logging, go to `<state dir>/demo.log`, named at the start and at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import logging
import signal
import sys
import textwrap
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any

from devstack import scenarios as scenarios_package
from devstack.stack import DEFAULT_STATE_DIR, LocalStack, StateDirInUse

DEMO_STATE_DIR = DEFAULT_STATE_DIR / "demo"
DEMO_LOG = "demo.log"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# the outside systems whose API calls the demo's summary counts, in its column order
METERED = {
    "salesforce": "Salesforce",
    "netsuite": "NetSuite",
    "unleashed": "Unleashed",
    "intacct": "Intacct",
}
WIDTH = 100  # of the demo's console lines
OUTCOME_WIDTH = 28  # of the summary's "what happened" column


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["trigger"]:
        return trigger(argv[1:])
    args = _parser().parse_args(argv)
    demo = args.command == "demo"
    state_dir = args.state_dir or (DEMO_STATE_DIR if demo else DEFAULT_STATE_DIR)
    stack = LocalStack(
        args.template,
        sandboxes=args.sandbox or not args.no_sandboxes,
        time_scale=args.time_scale,
        state_dir=state_dir,
        endpoints_path=args.endpoints,
        api_port=args.api_port,
        moto_port=args.moto_port,
        run_schedules=demo or args.schedules,
        seed_demo_data=demo or args.demo_data,
        # Parameters without a usable default: the local stack's own values.
        parameter_overrides={"SalesproBackupSender": "salespro-backup@salesbridge.local"},
    )
    if demo:
        return _demo(stack, args)
    _configure_logging(sys.stderr, args.verbose)
    stopping = _stop_on_signals()
    try:
        stack.start()
    except StateDirInUse as refused:
        print(refused, file=sys.stderr, flush=True)
        return 1
    with stack:
        print(summary(stack), flush=True)
        print("Ctrl-C stops it.", flush=True)
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


def _demo(stack: LocalStack, args: argparse.Namespace) -> int:
    console = sys.stdout
    log_path = stack.state_dir / DEMO_LOG

    def say(text: str) -> None:
        print(readable(text), file=console, flush=True)

    say("salesbridge demo: the product end to end, offline, on the local stack and its sandboxes")
    say(f"(the functions' JSON logs and metrics go to {_shown(log_path)}, not here)")
    scenarios = _load_scenarios(args.scenarios)
    _stop_on_signals()
    try:
        with _everything_else_to(log_path, args.verbose) as log:
            stack.start()
            with stack:
                log.write(summary(stack) + "\n")
                say(introduction(stack))
                failures = run_demo(stack, scenarios, say=say)
                say(console_note(stack))
    except StateDirInUse as refused:
        say(f"not started: {refused}")
        return 1
    say(f"Logs and metrics of this run: {_shown(log_path)}")
    return failures


def console_note(stack: LocalStack) -> str:
    """Where the operator console is and who signs in to it (the demo's Salesforce users)."""
    from sandboxes.salesforce.demo import OPERATOR, VIEWER

    url = stack.console_url()
    if url is None:
        return "This template has no operator console."
    return (
        f"Operator console: {url} (Sign in with Salesforce; the local org asks for a username: "
        f"{OPERATOR} acts, {VIEWER} only looks). The demo's stack stops now: "
        "`python -m devstack run --demo-data` (make local with the demo company) keeps one up."
    )


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
    return "\n".join(lines)


def introduction(stack: LocalStack) -> str:
    """The stack in a newcomer's words (the full listing is in the log)."""
    lines = [f"The local stack is up: salesbridge's API at {stack.api.base_url},"]
    lines.append("AWS (queues, tables, secrets) emulated by moto, its functions run in-process.")
    if stack.sandboxes:
        names = ", ".join(_title(name) for name in stack.sandboxes)
        lines.append(f"Sandboxes stand in for {names}.")
    if stack.demo_seeded:
        seeded = ", ".join(_title(name) for name in stack.demo_seeded)
        lines.append(f"The demo company Harbour & Pine is loaded into {seeded}.")
    return "\n".join(lines)


@dataclass
class Outcome:
    """One scenario's line of the closing summary."""

    name: str
    passed: bool
    what_happened: str
    api_calls: dict[str, int]


def run_demo(
    stack: LocalStack, scenarios: list[tuple[str, Any]], say: Callable[[str], None]
) -> int:
    """Run each scenario in order, then the summary table; 1 if any failed.

    A scenario's `run(stack, say)` may answer a short sentence of what happened (the summary
    shows it); the API calls salesbridge's functions spent meanwhile are counted by the stack.
    """
    if not scenarios:
        say("no scenarios in devstack/scenarios yet")
    outcomes = []
    for number, (name, run) in enumerate(scenarios, 1):
        say("")
        say(f"{number}. {_headline(name, run)}")
        before = stack.api_calls()
        try:
            told = run(stack, say)
        except Exception as exc:
            say(f"FAILED {name}:\n{traceback.format_exc()}")
            happened = f"failed: {type(exc).__name__}: {exc}".splitlines()[0]
            outcomes.append(Outcome(name, False, happened, _spent(stack, before)))
        else:
            say(f"passed {name}")
            outcomes.append(Outcome(name, True, str(told or "passed"), _spent(stack, before)))
    failures = sum(not outcome.passed for outcome in outcomes)
    say("")
    say(summary_table(outcomes, [key for key in METERED if key in stack.sandboxes]))
    say(f"{len(scenarios) - failures} of {len(scenarios)} scenario(s) passed")
    return 1 if failures else 0


def summary_table(outcomes: list[Outcome], metered: list[str]) -> str:
    """Scenario, what happened, and the API calls salesbridge spent on each outside system
    (a long "what happened" continues on the next lines of its column)."""
    header = ["scenario", "what happened", *(METERED[key] for key in metered)]
    rows = [
        [
            o.name,
            textwrap.wrap(o.what_happened, OUTCOME_WIDTH) or [""],
            *(str(o.api_calls.get(key, 0)) for key in metered),
        ]
        for o in outcomes
    ]
    widths = [
        len(header[0]),
        min(OUTCOME_WIDTH, max([len(header[1]), *(len(t) for r in rows for t in r[1])])),
        *(len(name) for name in header[2:]),
    ]
    widths[0] = max([widths[0], *(len(str(row[0])) for row in rows)])

    def line(first: str, text: str, counts: list[str]) -> str:
        cells = [first.ljust(widths[0]), text.ljust(widths[1])]
        cells += [count.rjust(width) for count, width in zip(counts, widths[2:], strict=True)]
        return "  " + "  ".join(cells).rstrip()

    lines = ["Summary (API calls: what salesbridge spent on each system)"]
    lines.append(line(header[0], header[1], header[2:]))
    lines.append("  " + "  ".join("-" * width for width in widths))
    for name, texts, *counts in rows:
        lines.append(line(str(name), texts[0], [str(c) for c in counts]))
        lines.extend(line("", more, [""] * len(counts)) for more in texts[1:])
    return "\n".join(lines)


def readable(text: str) -> str:
    """A narration line over WIDTH characters continues, indented, on the next lines (a
    traceback, being several lines, is left as it is)."""
    if "\n" in text or len(text) <= WIDTH:
        return text
    indent = text[: len(text) - len(text.lstrip())]
    return textwrap.fill(
        text.strip(),
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_long_words=False,  # paths, URLs and job ids stay whole
        break_on_hyphens=False,
    )


def _spent(stack: LocalStack, before: dict[str, int]) -> dict[str, int]:
    return {name: calls - before.get(name, 0) for name, calls in stack.api_calls().items()}


def _headline(name: str, run: Any) -> str:
    """The scenario module's first docstring line, or its name."""
    doc = inspect.getdoc(sys.modules.get(getattr(run, "__module__", ""), None))
    return doc.splitlines()[0] if doc else name


def _title(sandbox: str) -> str:
    return {"intacct": "Sage Intacct"}.get(sandbox, METERED.get(sandbox, sandbox.title()))


def _shown(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


def _configure_logging(stream: IO[str], verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, format=LOG_FORMAT, stream=stream
    )
    for noisy in ("botocore", "boto3", "urllib3", "httpx", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@contextlib.contextmanager
def _everything_else_to(log_path: Path, verbose: bool) -> Iterator[IO[str]]:
    """Send stdout, stderr and logging to the log file for the block.

    Powertools writes its JSON log lines and EMF metric blobs to stdout, as Lambda expects; the
    functions' Logger binds its handler to `sys.stdout` when their modules are first imported
    (during the first invocation), so swapping the stream before the stack starts sends them
    all to the file. The demo's narration writes to the console it saved beforehand.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    saved = sys.stdout, sys.stderr
    with log_path.open("w", buffering=1) as log:
        sys.stdout = sys.stderr = log
        _configure_logging(log, verbose)
        try:
            yield log
        finally:
            sys.stdout, sys.stderr = saved


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
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help=f"where the CA, endpoints file and logs go (run: {DEFAULT_STATE_DIR}/, "
        f"demo: {DEMO_STATE_DIR}/); one running stack per directory",
    )
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
        "--demo-data",
        action="store_true",
        help="load the demo company (Harbour & Pine) into the sandboxes, as demo does",
    )
    parser.add_argument(
        "--scenarios", default=None, help="package of demo scenarios (default devstack.scenarios)"
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


if __name__ == "__main__":
    sys.exit(main())
