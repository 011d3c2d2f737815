"""SalesPro's document placeholders (`%customerName%`, `%date%`, ...; API-FACTS lists them).

Names are case-sensitive, as in SalesPro. The date placeholders all come from one date (the
document's), rendered as SalesPro does; the user placeholders come from the calling user, so
an app cannot name a file after someone else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

PLACEHOLDER = re.compile(r"%([A-Za-z]+)%")

CUSTOMER = frozenset(
    {
        "customerName",
        "customerNameFirst",
        "customerNameLast",
        "customerAddressFull",
        "customerAddressCity",
        "customerAddressState",
        "estimateName",
        "selectedTotal",
    }
)
DATE = frozenset(
    {"date", "year", "month", "day", "monthName", "monthNameAbbv", "weekday", "weekdayAbbv"}
)
USER = frozenset({"usersName", "userEmail", "userIdentifier"})
KNOWN = CUSTOMER | DATE | USER
SUPPLIED = CUSTOMER  # what the app sends; dates derive from documentDate, users from the caller


def used(template: str) -> set[str]:
    return set(PLACEHOLDER.findall(template))


def unknown_placeholders(template: str) -> set[str]:
    return used(template) - KNOWN


def date_values(day: date, date_format: str) -> dict[str, str]:
    return {
        "date": day.strftime(date_format),
        "year": f"{day.year:04d}",
        "month": f"{day.month:02d}",
        "day": f"{day.day:02d}",
        "monthName": day.strftime("%B"),
        "monthNameAbbv": day.strftime("%b"),
        "weekday": day.strftime("%A"),
        "weekdayAbbv": day.strftime("%a"),
    }


def render(template: str, values: Mapping[str, str]) -> str:
    """The template with each placeholder replaced; the caller checked they are all there."""
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


UNSAFE_PATH = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_path_on_client(title: str, fallback_extension: str = "") -> str:
    """A file name every OS accepts (PathOnClient): '5/23/19' becomes '5-23-19'."""
    name = UNSAFE_PATH.sub("-", title).strip(" .") or "document"
    if fallback_extension and "." not in name:
        name = f"{name}.{fallback_extension}"
    return name[:255]
