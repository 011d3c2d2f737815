"""The base of every section of the settings document (`shared.settings`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    # A typo in a key is a setting silently ignored: refuse it.
    model_config = ConfigDict(extra="forbid", frozen=True)


class FlowSettings(Section):
    """A flow's section: its own switch, so turning one flow off never refuses another's
    events. Off: its webhook events are acknowledged (202, "ignored") without a job."""

    enabled: bool = True
