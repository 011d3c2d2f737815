"""`python -m ops`: see `ops/__init__.py`."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from botocore.exceptions import BotoCoreError, ClientError

from ops.operator import Operator, UsageError
from shared.jobs import Job, JobStatus

USAGE_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    try:
        return run(parser().parse_args(argv))
    except UsageError as exc:
        print(f"python -m ops: {exc.args[0]}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:
        # `ops jobs | head`: the reader has all it wanted. Point stdout at devnull so that
        # Python's own flush at exit does not raise again (Python docs, "Note on SIGPIPE").
        with contextlib.suppress(AttributeError, OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (BotoCoreError, ClientError) as exc:  # AWS itself: credentials, network, access
        print(f"python -m ops: AWS refused or did not answer: {exc}", file=sys.stderr)
        return 1


def run(args: argparse.Namespace) -> int:
    operator = (
        Operator.from_endpoints(args.endpoints)
        if args.endpoints
        else Operator.from_stack(args.stack, args.region)
    )
    if args.command == "jobs":
        if args.status is None:
            counts = operator.counts()
            print("jobs  " + "  ".join(f"{status} {count}" for status, count in counts.items()))
            print(f"most recent {args.limit}:")
            jobs = operator.recent(args.source, args.limit)
        else:
            jobs = operator.jobs(args.status, args.source, args.limit)
        for job in jobs:
            print(f"{job.updated_at}  {job.status.value:8} {job.job_id}  {summary(job)}")
    elif args.command == "replay":
        replayed = (
            operator.replay(args.job_ids)
            if args.job_ids
            else operator.replay_status(args.status, args.source)
        )
        print(f"replayed {len(replayed)} job(s)")
        for job_id in replayed:
            print(f"  {job_id}")
    elif args.command == "redrive":
        print(f"moved {operator.redrive(args.queue)} message(s) back to {args.queue}")
    elif args.command == "hold":
        hold = operator.lift_hold() if args.lift else operator.hold()
        if hold is None or (not hold.active and not args.lift):
            print(
                "no Salesforce API budget hold"
                + (f" (last lifted {hold.lifted_at})" if hold and hold.lifted_at else "")
            )
        else:
            verb = "lifted the hold" if args.lift else "Salesforce is held"
            print(f"{verb}: since {hold.since or '?'} until {hold.until}: {hold.reason}")
            if args.lift:
                print(
                    "held jobs go out at the next backstop run, or now with: replay --status held"
                )
    elif args.command == "salespro-issue":
        from shared.app_credentials import AppUser

        try:
            user = AppUser(
                user_id=args.user,
                mode=args.mode,
                salesforce_username=args.salesforce_username,
                unique_identifier=args.unique_identifier,
                name=args.name,
                email=args.email,
            )
        except ValueError as exc:
            raise UsageError(f"salespro-issue: {exc}") from None
        issued = operator.app_credentials().issue(user)
        print(f"credential {issued.credential_id} for {user.user_id} ({user.mode.value})")
        print(f"give this token to the user's SalesPro app (shown once): {issued.token}")
    elif args.command == "salespro-revoke":
        revoked = operator.app_credentials().revoke(args.credential_id)
        print(f"revoked {revoked.credential_id} of {revoked.user.user_id} at {revoked.revoked_at}")
    elif args.command == "recount":
        for flow, items in operator.recount().items():
            print(f"{flow}: {items} counter item(s) rebuilt")
    elif args.command == "trigger":
        print(json.dumps(operator.trigger(args.schedule), indent=2, default=str))
    return 0


def summary(job: Job) -> str:
    """One line on what happened to the job: its outcome, or why it is not done."""
    if job.status is JobStatus.DONE and job.outcome:
        return outcome_line(job.outcome)
    if job.status in (JobStatus.DONE, JobStatus.SKIPPED):
        return str(job.detail.get("reason", ""))
    if job.status is JobStatus.HELD:
        return f"retried after {job.held_until or 'the hold ends'}: {job.last_error or ''}"
    tries = f"attempts={job.attempt_count}"
    return f"{tries}  {job.last_error}" if job.last_error else tries


def outcome_line(outcome: dict[str, Any]) -> str:
    parts = []
    if outcome.get("closed"):
        parts.append("closed")
    for key, label in (
        ("opportunity_id", "opportunity"),
        ("account_id", "account"),
        ("netsuite_order_id", "netsuite order"),
    ):
        if outcome.get(key):
            parts.append(f"{label} {outcome[key]}")
    if "lines" in outcome:
        lines = f"lines {outcome['lines']}"
        extra = [f"deleted {outcome.get('deleted_lines', 0)}"]
        if outcome.get("skipped_lines"):
            extra.append(f"skipped {len(outcome['skipped_lines'])}")
        parts.append(f"{lines} ({', '.join(extra)})")
    if outcome.get("salesforce_total") is not None:
        parts.append(f"total {_money(outcome['salesforce_total'])}")
    return "  ".join(parts)


def _money(value: Any) -> str:
    try:
        return f"{Decimal(str(value)):.2f}"
    except InvalidOperation:
        return str(value)


class _Parser(argparse.ArgumentParser):
    """A bad argument answers one line (no usage screen) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: {message} (see --help)\n")


def parser() -> argparse.ArgumentParser:
    root = _parser(prog="python -m ops", description=__doc__)
    target = root.add_mutually_exclusive_group(required=True)
    target.add_argument("--endpoints", help="the local stack's endpoints file")
    target.add_argument("--stack", help="a deployed CloudFormation stack name")
    root.add_argument("--region", default=None, help="the stack's region (default: AWS config)")
    commands = root.add_subparsers(dest="command", required=True, parser_class=_Parser)
    statuses = [status.value for status in JobStatus]
    jobs = commands.add_parser(
        "jobs", help="counts per status and the latest jobs, or the jobs of one status"
    )
    jobs.add_argument("--status", default=None, choices=statuses)
    jobs.add_argument("--source", default=None)
    jobs.add_argument("--limit", type=_positive, default=20)
    replay = commands.add_parser("replay", help="re-enqueue jobs from their stored message")
    replay.add_argument("job_ids", nargs="*")
    replay.add_argument("--status", default="failed", choices=["failed", "held"])
    replay.add_argument("--source", default=None)
    redrive = commands.add_parser("redrive", help="move a queue's DLQ messages back to it")
    redrive.add_argument("queue", help="the queue's logical id, e.g. NetsuiteOrderQueue")
    hold = commands.add_parser("hold", help="the Salesforce API budget hold: see it, lift it")
    hold.add_argument("--lift", action="store_true", help="end the hold now")
    commands.add_parser(
        "recount", help="rebuild the console's job counters from the jobs table (once)"
    )
    trigger = commands.add_parser("trigger", help="run a schedule now")
    trigger.add_argument(
        "schedule", help="Function or Function.EventName, e.g. NetsuiteBackstopFunction"
    )
    issue = commands.add_parser("salespro-issue", help="issue a SalesPro user's app credential")
    issue.add_argument("user", help="the SalesPro user id")
    issue.add_argument("--mode", required=True, choices=["per_user", "single_sign_on"])
    issue.add_argument("--salesforce-username", help="per_user: the JWT subject")
    issue.add_argument("--unique-identifier", help="single_sign_on: e.g. the Staff record id")
    issue.add_argument("--name", help="%%usersName%%")
    issue.add_argument("--email", help="%%userEmail%%")
    revoke = commands.add_parser("salespro-revoke", help="revoke a SalesPro app credential")
    revoke.add_argument("credential_id")
    return root


def _parser(**kwargs: Any) -> argparse.ArgumentParser:
    return _Parser(**kwargs)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"{value} is not between 1 and 1000")
    return value


if __name__ == "__main__":
    sys.exit(main())
