"""Answers that the API and its functions are deployed; reveals nothing else."""

from __future__ import annotations

import json
import os
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

VERSION = "0.1.0"


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    body = {
        "status": "ok",
        "service": "salesbridge",
        "stage": os.environ.get("SALESBRIDGE_STAGE", "unknown"),
        "version": VERSION,
    }
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }
