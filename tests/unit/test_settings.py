from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.config import Resources, load_settings, parse_settings
from shared.errors import ConfigurationError

ROOT = Path(__file__).resolve().parents[2]


def test_an_empty_document_gives_the_documented_defaults() -> None:
    settings = parse_settings("{}", source="test")
    assert settings.netsuite_orders_to_salesforce.sync_updates_netsuite_originated is True
    assert settings.netsuite_orders_to_salesforce.sync_salesforce_originated is False
    assert settings.netsuite_orders_to_salesforce.sync_zero_quantity_lines is False
    assert settings.netsuite_orders_to_salesforce.default_price_book == "Standard Price Book"
    assert settings.salesforce_orders_to_netsuite.enabled is True


@pytest.mark.parametrize("name", ["example.json", "local.json"])
def test_the_shipped_documents_are_valid(name: str) -> None:
    parse_settings((ROOT / "settings" / name).read_text(), source=name)


def test_an_unknown_key_fails_with_its_path() -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_settings(
            json.dumps({"netsuite_orders_to_salesforce": {"sync_zero_qty": True}}), source="doc"
        )
    assert "netsuite_orders_to_salesforce.sync_zero_qty" in caught.value.message
    assert caught.value.problems[0].field == "netsuite_orders_to_salesforce.sync_zero_qty"


def test_a_wrong_type_fails_with_field_and_reason() -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_settings(
            json.dumps({"netsuite_orders_to_salesforce": {"enabled": "perhaps"}}), source="doc"
        )
    problem = caught.value.problems[0]
    assert problem.field == "netsuite_orders_to_salesforce.enabled"
    assert "boolean" in problem.reason


def test_the_webhook_limits_are_stack_parameters_not_settings() -> None:
    with pytest.raises(ConfigurationError, match="WebhookReplayWindowSeconds"):
        parse_settings(json.dumps({"webhooks": {"replay_window_seconds": 300}}), source="doc")
    assert Resources.model_validate({}).webhook_replay_window_seconds == 300
    assert Resources.model_validate({}).webhook_max_body_bytes == 65_536
    env = {"WEBHOOK_REPLAY_WINDOW_SECONDS": "600", "WEBHOOK_MAX_BODY_BYTES": "2048"}
    assert Resources.model_validate(env).webhook_replay_window_seconds == 600
    with pytest.raises(ValueError, match="greater than or equal to 30"):
        Resources.model_validate({"WEBHOOK_REPLAY_WINDOW_SECONDS": "5"})


def test_a_document_that_is_not_json_says_so() -> None:
    with pytest.raises(ConfigurationError, match="not JSON"):
        parse_settings("{nope", source="doc")


def test_an_unsupported_version_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="version"):
        parse_settings('{"version": 2}', source="doc")


def test_a_settings_file_wins_over_the_parameter(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"netsuite_orders_to_salesforce": {"enabled": false}}')
    env = Resources.model_validate({"SETTINGS_FILE": str(path)})
    assert load_settings(env).netsuite_orders_to_salesforce.enabled is False


def test_a_missing_variable_is_named() -> None:
    with pytest.raises(ConfigurationError, match="JOBS_TABLE"):
        Resources.model_validate({}).require("jobs_table")


def test_the_section_of_earlier_documents_is_refused_with_where_it_went() -> None:
    document = {"netsuite": {"enabled": True, "export_won_opportunities": False}}
    with pytest.raises(ConfigurationError) as caught:
        parse_settings(json.dumps(document), source="doc")
    assert "netsuite_orders_to_salesforce" in caught.value.message
    assert "salesforce_orders_to_netsuite.enabled" in caught.value.message


def test_each_flow_has_its_own_switch() -> None:
    settings = parse_settings(
        json.dumps({"salesforce_orders_to_netsuite": {"enabled": False}}), source="doc"
    )
    assert settings.netsuite_orders_to_salesforce.enabled is True
    assert settings.salesforce_orders_to_netsuite.enabled is False
