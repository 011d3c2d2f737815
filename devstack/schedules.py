"""Schedules (`Events: Type: Schedule | ScheduleV2`): on demand, or at their rate in demo mode.

`LocalStack.run_schedule(logical_id)` invokes the function now with what EventBridge would send:
a "Scheduled Event" for `Schedule` (or the event's `Input` JSON when it has one) and the `Input`
(or `{}`) for `ScheduleV2` (EventBridge Scheduler). `logical_id` is the function's, or
`<Function>.<EventName>` when a function has several schedules.

In demo mode each enabled `rate(...)` schedule fires every rate times `time_scale`; `cron(...)`
schedules run only on demand (no cron calendar is emulated).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devstack.template import ACCOUNT_ID, REGION

log = logging.getLogger("devstack.schedules")

Invoker = Callable[[str, dict[str, Any]], Any]
_RATE = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass
class Schedule:
    function: str
    event_name: str
    kind: str  # Schedule or ScheduleV2
    expression: str
    rule_name: str
    input: str | None = None
    enabled: bool = True

    @property
    def key(self) -> str:
        return f"{self.function}.{self.event_name}"

    @property
    def rule_arn(self) -> str:
        if self.kind == "ScheduleV2":
            return f"arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule/default/{self.rule_name}"
        return f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{self.rule_name}"

    @property
    def period_seconds(self) -> float | None:
        match = _RATE.fullmatch(self.expression.strip())
        if match is None:
            return None
        return int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]

    def event(self) -> Any:
        if self.input is not None:
            return json.loads(self.input)
        if self.kind == "ScheduleV2":
            return {}
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT_ID,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": REGION,
            "resources": [self.rule_arn],
            "detail": {},
        }

    def describe(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "event": self.event_name,
            "type": self.kind,
            "expression": self.expression,
            "enabled": self.enabled,
        }


class ScheduleTicker:
    """Fires one rate schedule at its (scaled) period until stopped (demo mode)."""

    def __init__(self, schedule: Schedule, invoke: Invoker, time_scale: float) -> None:
        self.schedule = schedule
        self._invoke = invoke
        self._period = (schedule.period_seconds or 0) * time_scale
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"schedule-{schedule.key}", daemon=True
        )

    def start(self) -> ScheduleTicker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            try:
                self._invoke(self.schedule.function, self.schedule.event())
            except Exception:
                log.exception("scheduled run of %s failed", self.schedule.key)
