"""What this flow receives: the app's GET /salespro/appointments (no body; no query
parameters today, so an unknown one is refused rather than silently ignored)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class AppointmentsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    FLOW: ClassVar[str] = "salespro_appointments"
    SOURCE: ClassVar[str] = "salespro"
    MESSAGE_TYPE: ClassVar[str] = "salespro.appointments.requested"
