"""Where configuration comes from, typed.

- Resource names (tables, queues, secret ARNs) come from the environment, set by template.yaml.
- Credentials come from Secrets Manager through Powertools parameters (cached per container).
- Behaviour (mappings, switches, routing rules) comes from one settings document, see
  `shared.settings`: SSM Parameter Store in AWS, or a file when `SETTINGS_FILE` is set.

Nothing here reads configuration at import time, so importing a handler stays cheap and tests
can set the environment first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.errors import ConfigurationError, FieldProblem
from shared.settings import Settings

SECRET_MAX_AGE_SECONDS = 300
SETTINGS_MAX_AGE_SECONDS = 60


class Resources(BaseModel):
    """Names of the AWS resources a function may use, from its environment variables.

    Every function gets the shared ones through the template's Globals; a function that needs a
    resource it was not given fails with the variable's name rather than a KeyError.
    """

    model_config = ConfigDict(frozen=True)

    stage: str = Field("local", alias="SALESBRIDGE_STAGE")
    jobs_table: str | None = Field(None, alias="JOBS_TABLE")
    # the console's counts per flow and status, kept with each job's write (stores.job_counts)
    job_counts_table: str | None = Field(None, alias="JOB_COUNTS_TABLE")
    links_table: str | None = Field(None, alias="LINKS_TABLE")
    cursors_table: str | None = Field(None, alias="CURSORS_TABLE")
    settings_parameter: str | None = Field(None, alias="SETTINGS_PARAMETER")
    settings_file: str | None = Field(None, alias="SETTINGS_FILE")
    webhook_keys_secret: str | None = Field(None, alias="WEBHOOK_KEYS_SECRET")
    netsuite_order_queue_url: str | None = Field(None, alias="NETSUITE_ORDER_QUEUE_URL")
    netsuite_secret: str | None = Field(None, alias="NETSUITE_SECRET")
    salesforce_secret: str | None = Field(None, alias="SALESFORCE_SECRET")
    max_receive_count: int = Field(5, alias="MAX_RECEIVE_COUNT")
    # Webhook limits are needed before a caller is authenticated, so they come from the stack
    # (template parameters), never from the settings document; bounded so a typo stays safe.
    webhook_replay_window_seconds: Annotated[int, Field(ge=30, le=3600)] = Field(
        300, alias="WEBHOOK_REPLAY_WINDOW_SECONDS"
    )
    webhook_max_body_bytes: Annotated[int, Field(ge=1024, le=1_048_576)] = Field(
        65_536, alias="WEBHOOK_MAX_BODY_BYTES"
    )
    ca_bundle: str | None = Field(None, alias="SALESBRIDGE_CA_BUNDLE")
    # Salesforce originated orders (seed 002): where Closed Won callouts are queued.
    salesforce_opportunity_queue_url: str | None = Field(
        None, alias="SALESFORCE_OPPORTUNITY_QUEUE_URL"
    )
    # Send to Unleashed (seed 000): its queue, the Unleashed connection, the Canvas app's secret.
    unleashed_order_queue_url: str | None = Field(None, alias="UNLEASHED_ORDER_QUEUE_URL")
    unleashed_secret: str | None = Field(None, alias="UNLEASHED_SECRET")
    unleashed_customer_queue_url: str | None = Field(None, alias="UNLEASHED_CUSTOMER_QUEUE_URL")
    unleashed_canvas_secret: str | None = Field(None, alias="UNLEASHED_CANVAS_SECRET")

    # The operator console (shared.console): its secret, audit table and the flows' queues.
    console_secret: str | None = Field(None, alias="CONSOLE_SECRET")
    audit_table: str | None = Field(None, alias="AUDIT_TABLE")
    console_queues: str | None = Field(None, alias="CONSOLE_QUEUES")  # JSON: logical id -> URL
    # SalesPro (seed 001): app credentials, the documents bucket, the backup e-mail sender.
    salespro_credentials_table: str | None = Field(None, alias="SALESPRO_CREDENTIALS_TABLE")
    salespro_documents_bucket: str | None = Field(None, alias="SALESPRO_DOCUMENTS_BUCKET")
    salespro_backup_sender: str | None = Field(None, alias="SALESPRO_BACKUP_SENDER")
    # Intacct sales documents (seed 004): Create <Transaction> requests, and the connection.
    intacct_document_queue_url: str | None = Field(None, alias="INTACCT_DOCUMENT_QUEUE_URL")
    intacct_secret: str | None = Field(None, alias="INTACCT_SECRET")

    def require(self, name: str) -> str:
        value = getattr(self, name)
        if not value:
            alias = type(self).model_fields[name].alias
            raise ConfigurationError(f"environment variable {alias} is not set for this function")
        return str(value)


def resources() -> Resources:
    known = {field.alias for field in Resources.model_fields.values()}
    return Resources.model_validate({k: v for k, v in os.environ.items() if k in known})


def get_secret_json(secret_id: str) -> dict[str, Any]:
    """A JSON secret, cached for five minutes so a rotation reaches warm containers."""
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(secret_id, transform="json", max_age=SECRET_MAX_AGE_SECONDS)
    if not isinstance(value, dict):
        raise ConfigurationError(f"secret {secret_id} is not a JSON object")
    return value


_built: dict[str, tuple[dict[str, Any], Any]] = {}


def built_from_secret[T](secret_id: str, build: Callable[[dict[str, Any]], T]) -> T:
    """`build(secret)` once per container, again only when the secret's content changes.

    Clients hold tokens and connection pools worth keeping between invocations; a rotated
    secret (seen within the 5-minute cache) gets a fresh client.
    """
    secret = get_secret_json(secret_id)
    known = _built.get(secret_id)
    if known is None or known[0] != secret:
        known = (secret, build(secret))
        _built[secret_id] = known
    return cast(T, known[1])


def load_settings(env: Resources | None = None) -> Settings:
    """The validated settings document; a bad one fails loudly with each field and reason."""
    env = env or resources()
    if env.settings_file:
        return parse_settings(Path(env.settings_file).read_text(), source=env.settings_file)
    from aws_lambda_powertools.utilities import parameters

    name = env.require("settings_parameter")
    raw = parameters.get_parameter(name, max_age=SETTINGS_MAX_AGE_SECONDS)
    return parse_settings(str(raw), source=name)


def parse_settings(raw: str, *, source: str) -> Settings:
    try:
        return Settings.model_validate(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"settings document {source} is not JSON: {exc}") from exc
    except ValidationError as exc:
        problems = [
            FieldProblem(".".join(str(p) for p in error["loc"]) or "(root)", error["msg"])
            for error in exc.errors()
        ]
        detail = "; ".join(f"{p.field}: {p.reason}" for p in problems)
        raise ConfigurationError(
            f"settings document {source} is invalid: {detail}", problems=problems
        ) from exc
