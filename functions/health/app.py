"""GET /health: the API and its functions are deployed, and the settings document loads.

The one unauthenticated route, so it reveals no configuration: a broken settings document is
answered `503 {"status":"degraded","settings":"invalid"}` (a monitor alarms on the status
code), and what is wrong (each field and reason) goes to the function's log for the operator.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import load_settings, resources
from shared.errors import ConfigurationError
from shared.observability import logger

VERSION = "0.1.0"


def settings_state() -> str:
    try:
        load_settings()
    except ConfigurationError as exc:
        logger.error("settings are invalid", extra={"reason": exc.message})
        return "invalid"
    except Exception as exc:  # SSM unreachable or not permitted
        logger.error("settings cannot be read", extra={"error": str(exc)})
        return "unreadable"
    return "ok"


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = settings_state()
    body = {
        "status": "ok" if settings == "ok" else "degraded",
        "service": "salesbridge",
        "stage": resources().stage,
        "version": VERSION,
        "settings": settings,
    }
    return {
        "statusCode": 200 if settings == "ok" else 503,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }
