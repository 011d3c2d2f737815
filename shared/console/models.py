"""What the console shows and records: overviews, pages of jobs, who acts, the audit log."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from shared.jobs import Job


class Role(StrEnum):
    VIEWER = "viewer"  # sees (personal data masked)
    OPERATOR = "operator"  # sees and acts


class Principal(BaseModel):
    """Who is signed in: the Salesforce user, their org, their role here."""

    user_id: str
    username: str
    display_name: str = ""
    org_id: str = ""
    role: Role

    @property
    def may_act(self) -> bool:
        return self.role is Role.OPERATOR


class StatusCounts(BaseModel):
    hour: int = 0
    day: int = 0
    week: int = 0
    total: int | None = Field(None, description="all of them (statuses that never expire)")


class FlowOverview(BaseModel):
    name: str
    title: str
    enabled: bool | None = Field(None, description="the flow's `enabled` switch; None: unknown")
    settings_valid: bool
    settings_problems: list[str] = Field(default_factory=list)
    counts: dict[str, StatusCounts]
    last_success: str | None = None
    oldest_waiting: str | None = Field(None, description="the oldest received or queued job")
    dead_letters: dict[str, int | None] = Field(
        default_factory=dict, description="queue logical id -> messages in its DLQ"
    )
    schedules: list[str] = Field(default_factory=list)


class HoldView(BaseModel):
    active: bool
    since: str = ""
    until: str = ""
    reason: str = ""
    lifted_at: str = ""


class Overview(BaseModel):
    generated_at: str
    flows: list[FlowOverview]
    hold: HoldView | None = None


class JobPage(BaseModel):
    jobs: list[Job]
    next_before: str | None = Field(None, description="pass as `before` for the next page")


class JobView(BaseModel):
    job: Job
    flow_title: str | None = None
    advice: str | None = Field(None, description="for a failure: what to do about it")
    masked: bool = False


class AuditEntry(BaseModel):
    at: str
    who: str
    role: str
    action: str
    target: str = ""
    detail: dict[str, Any] = Field(default_factory=dict)
