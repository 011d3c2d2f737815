"""`python -m ops`: see `ops/__init__.py`."""

from __future__ import annotations

import argparse
import sys

from ops.operator import Operator


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    operator = (
        Operator.from_endpoints(args.endpoints)
        if args.endpoints
        else Operator.from_stack(args.stack, args.region)
    )
    if args.command == "jobs":
        for job in operator.jobs(args.status, args.source, args.limit):
            print(
                f"{job.updated_at}  {job.status.value:8} {job.job_id}  attempts={job.attempts}"
                f"  {job.last_error or job.detail.get('reason', '')}"
            )
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
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m ops", description=__doc__)
    target = root.add_mutually_exclusive_group(required=True)
    target.add_argument("--endpoints", help="the local stack's endpoints file")
    target.add_argument("--stack", help="a deployed CloudFormation stack name")
    root.add_argument("--region", default=None)
    commands = root.add_subparsers(dest="command", required=True)
    jobs = commands.add_parser("jobs", help="list jobs by status, newest first")
    jobs.add_argument(
        "--status",
        default="failed",
        choices=["received", "queued", "done", "skipped", "failed", "held"],
    )
    jobs.add_argument("--source", default=None)
    jobs.add_argument("--limit", type=int, default=50)
    replay = commands.add_parser("replay", help="re-enqueue jobs from their stored message")
    replay.add_argument("job_ids", nargs="*")
    replay.add_argument("--status", default="failed", choices=["failed", "held"])
    replay.add_argument("--source", default=None)
    redrive = commands.add_parser("redrive", help="move a queue's DLQ messages back to it")
    redrive.add_argument("queue", help="the queue's logical id, e.g. NetsuiteOrderQueue")
    return root


if __name__ == "__main__":
    sys.exit(main())
