"""The store interfaces services depend on (DynamoDB implements them; tests use fakes)."""

from __future__ import annotations

from typing import Any, Protocol

from shared.stores.jobs import Job, JobStatus
from shared.stores.links import Link


class JobRepository(Protocol):
    def create(self, job: Job) -> tuple[Job, bool]: ...
    def get(self, job_id: str) -> Job | None: ...
    def transition(
        self,
        job: Job,
        status: JobStatus,
        *,
        error: str | None = None,
        detail: dict[str, Any] | None = None,
        attempted: bool = False,
        outcome: dict[str, Any] | None = None,
        held_until: str | None = None,
    ) -> Job: ...


class LinkRepository(Protocol):
    def get(self, source_key: str, target: str) -> Link | None: ...
    def save(self, link: Link) -> Link: ...
