"""Settings from SSM and secrets from Secrets Manager, through Powertools, on moto's server."""

from __future__ import annotations

import json

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from devstack.provision import Resource
from shared.config import Resources, get_secret_json, load_settings
from shared.errors import ConfigurationError


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    parameters.clear_caches()


def test_settings_come_from_the_parameter(
    aws_resources: dict[str, Resource], moto_url: str
) -> None:
    name = aws_resources["SettingsParameter"].name
    boto3.client("ssm", endpoint_url=moto_url).put_parameter(
        Name=name,
        Value=json.dumps({"netsuite_orders_to_salesforce": {"sync_zero_quantity_lines": True}}),
        Type="String",
        Overwrite=True,
    )
    settings = load_settings(Resources.model_validate({"SETTINGS_PARAMETER": name}))
    assert settings.netsuite_orders_to_salesforce.sync_zero_quantity_lines is True


def test_a_bad_parameter_fails_loudly(aws_resources: dict[str, Resource], moto_url: str) -> None:
    name = aws_resources["SettingsParameter"].name
    boto3.client("ssm", endpoint_url=moto_url).put_parameter(
        Name=name,
        Value='{"netsuite_orders_to_salesforce": {"default_price_book": 7}}',
        Type="String",
        Overwrite=True,
    )
    with pytest.raises(
        ConfigurationError, match=r"netsuite_orders_to_salesforce\.default_price_book"
    ):
        load_settings(Resources.model_validate({"SETTINGS_PARAMETER": name}))


def test_the_generated_webhook_keys_secret_is_json(aws_resources: dict[str, Resource]) -> None:
    secret = get_secret_json(aws_resources["WebhookKeysSecret"].arn)
    assert len(secret["netsuite"]) == 48


def test_deploy_generates_a_key_for_every_webhook_source(
    aws_resources: dict[str, Resource],
) -> None:
    """Issue 8 item 7: the Closed Won callout's key exists from the first deploy, in its own
    secret (CloudFormation generates one key per secret), readable only by its receiver."""
    netsuite = get_secret_json(aws_resources["WebhookKeysSecret"].arn)
    salesforce = get_secret_json(aws_resources["SalesforceWebhookKeysSecret"].arn)
    assert set(netsuite) == {"netsuite"} and set(salesforce) == {"salesforce"}
    assert len(salesforce["salesforce"]) == 48 and salesforce["salesforce"] != netsuite["netsuite"]
