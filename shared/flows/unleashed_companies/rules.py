"""Values Unleashed refuses, checked before sending so the reason reaches the record at once
(the rest of the change still syncs), and the conflict rule.

Unleashed documents a contact website as "must be a valid URL" and e-mail addresses as e-mail
addresses (API-FACTS "Unleashed (more)"); the patterns are the sandbox's, which follow them.
Anything else Unleashed refuses arrives as a 400 naming the field (`RefusedValue`) and is
handled the same way. Phone numbers are free text in Unleashed: no check of our own.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from shared.flows.unleashed_companies.models import Values

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WEBSITE = re.compile(r"^(https?://)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?(/\S*)?$")
_MAX_LENGTH = {"name": 500}

Side = Literal["salesforce", "unleashed"]


def refusals(values: Values) -> dict[str, str]:
    """field -> why Unleashed would refuse its value."""
    found: dict[str, str] = {}
    for field, value in values.items():
        if value is None:
            continue
        if field == "website" and not _WEBSITE.match(value):
            found[field] = f"website {value!r} is not a URL Unleashed accepts"
        elif field == "email" and not _EMAIL.match(value):
            found[field] = f"e-mail {value!r} is not an address Unleashed accepts"
        elif field in _MAX_LENGTH and len(value) > _MAX_LENGTH[field]:
            found[field] = f"{field} is longer than Unleashed's {_MAX_LENGTH[field]} characters"
    return found


def winner(
    salesforce_time: datetime, unleashed_time: datetime | None, system_of_record: Side
) -> Side:
    """The later change wins by each side's modification time; a tie (or an unknown time)
    goes to the configured system of record."""
    if unleashed_time is None or salesforce_time == unleashed_time:
        return system_of_record
    return "salesforce" if salesforce_time > unleashed_time else "unleashed"
