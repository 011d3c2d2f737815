"""/console/...: the operator console's pages and JSON API (routes in shared.console.api).

Every route authenticates first: a signed session cookie from "Sign in with Salesforce" or a
Canvas signed request; state-changing requests also carry the session's CSRF token.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.console.api import app
from shared.observability import logger, metrics


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
