"""Operator tools: see the jobs, replay failed or held ones, move a DLQ back to its queue.

Works against a deployed stack (`--stack salesbridge-dev`, resources found through
CloudFormation) or the local stack (`--endpoints .local/endpoints.json`):

    python -m ops --stack salesbridge-dev jobs                  # counts per status, latest jobs
    python -m ops --stack salesbridge-dev jobs --status failed  # with their last error
    python -m ops --stack salesbridge-dev replay netsuite:salesorder:4711:2026-11-22T09:41:07Z
    python -m ops --stack salesbridge-dev replay --status failed --source netsuite
    python -m ops --stack salesbridge-dev redrive NetsuiteOrderQueue
    python -m ops --stack salesbridge-dev hold [--lift]         # the Salesforce API budget hold
    python -m ops --endpoints .local/endpoints.json trigger NetsuiteBackstopFunction

A bad argument (an unknown job, queue, stack or schedule, a missing region) answers one line
on stderr and exit status 2.

A replay puts the job's stored message back on its queue under a fresh deduplication id and
marks the job queued; the worker then treats it like any delivery (stale or already-synced
versions are recognised, so a replay never applies a change twice).
"""

from ops.operator import Operator

__all__ = ["Operator"]
