"""State in DynamoDB: jobs, cross-system links and cursors, each with optimistic versions.

Every write is conditional on the `revision` the writer read, so two workers racing on the
same record cannot silently overwrite each other: the loser gets `StaleWrite` (retryable) and
tries again from fresh state.
"""

from shared.stores.cursors import Cursor, CursorStore
from shared.stores.dynamo import StaleWrite
from shared.stores.jobs import Job, JobStatus, JobStore
from shared.stores.links import Link, LinkStore

__all__ = [
    "Cursor",
    "CursorStore",
    "Job",
    "JobStatus",
    "JobStore",
    "Link",
    "LinkStore",
    "StaleWrite",
]
