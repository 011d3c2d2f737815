"""Every resource of the fixture template exists in moto with the template's attributes."""

import json

from tests.devstack.conftest import FIXTURES


def test_fifo_queue_has_its_attributes_and_redrive_policy(stack):
    queue = stack.resources["WorkQueue"]
    dlq = stack.resources["WorkDeadLetterQueue"]
    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=queue.url, AttributeNames=["All"]
    )["Attributes"]
    assert queue.name == "salesbridge-local-WorkQueue.fifo"
    assert dlq.name == "salesbridge-local-work-dlq.fifo"  # the explicit QueueName, !Sub'd
    assert attributes["FifoQueue"] == "true"
    assert attributes["ContentBasedDeduplication"] == "true"
    assert attributes["VisibilityTimeout"] == "60"
    assert attributes["MessageRetentionPeriod"] == "345600"
    assert json.loads(attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": dlq.arn,
        "maxReceiveCount": 2,
    }


def test_conditions_leave_out_resources(stack):
    assert "ProdOnlyQueue" not in stack.resources
    assert "DeadLetterAlarm" in stack.resources
    alarms = stack.client("cloudwatch").describe_alarms()["MetricAlarms"]
    assert [a["AlarmName"] for a in alarms] == ["salesbridge-local-DeadLetterAlarm"]
    assert alarms[0]["Dimensions"] == [
        {"Name": "QueueName", "Value": "salesbridge-local-work-dlq.fifo"}
    ]
    assert alarms[0]["AlarmActions"] == [stack.resources["AlertsTopic"].arn]


def test_table_has_keys_index_ttl_and_point_in_time_recovery(stack):
    dynamodb = stack.client("dynamodb")
    name = stack.resources["RecordsTable"].name
    assert name == "salesbridge-local-records-test"
    table = dynamodb.describe_table(TableName=name)["Table"]
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert [gsi["IndexName"] for gsi in table["GlobalSecondaryIndexes"]] == ["by-status"]
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}
    backups = dynamodb.describe_continuous_backups(TableName=name)
    pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    simple = dynamodb.describe_table(TableName=stack.resources["CursorsTable"].name)["Table"]
    assert simple["KeySchema"] == [{"AttributeName": "name", "KeyType": "HASH"}]


def test_bucket_is_versioned(stack):
    name = stack.resources["UploadsBucket"].name
    assert name == "salesbridge-local-uploadsbucket"
    assert stack.client("s3").get_bucket_versioning(Bucket=name)["Status"] == "Enabled"


def test_secrets_and_settings_are_seeded(stack):
    secrets = stack.client("secretsmanager")
    salesforce = json.loads(
        secrets.get_secret_value(SecretId=stack.resources["SalesforceSecret"].arn)["SecretString"]
    )
    assert salesforce == {
        "instance_url": stack.sandboxes["salesforce"].base_url,
        "client_id": "fake-client",
        "username": "u@example.com",
    }
    keys = json.loads(
        secrets.get_secret_value(SecretId=stack.resources["WebhookKeysSecret"].arn)["SecretString"]
    )
    assert set(keys) == {"netsuite", "unleashed"}
    assert keys == stack.endpoints["webhook_keys"]
    assert len(keys["netsuite"]) == 64
    settings = stack.client("ssm").get_parameter(Name="/salesbridge-local/settings")["Parameter"]
    assert settings["Value"] == (FIXTURES / "settings" / "local.json").read_text()


def test_netsuite_sandbox_posts_webhooks_to_the_netsuite_route(stack):
    config = stack.sandboxes["netsuite"].app.config
    assert config["webhook_url"] == f"{stack.api.base_url}/webhooks/netsuite"
    assert config["webhook_secret"] == stack.webhook_keys["netsuite"]
    assert stack.endpoints["webhooks"] == {"netsuite": config["webhook_url"]}


def test_what_cannot_exist_locally_is_listed_as_skipped_not_faked(stack):
    skipped = {lid for lid, resource in stack.resources.items() if resource.skipped}
    assert {"HttpApi", "EchoFunction", "PlainWorker"} <= skipped
    described = stack.endpoints["resources"]["EchoFunction"]
    assert described["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:" + (
        "salesbridge-local-EchoFunction"
    )
    assert "skipped" in described


def test_endpoints_file_lists_what_a_caller_needs(stack):
    on_disk = json.loads(stack.endpoints_path.read_text())
    assert on_disk == stack.endpoints
    assert on_disk["aws"] == {
        "endpoint_url": stack.moto_url,
        "region": "us-east-1",
        "access_key_id": "testing",
        "secret_access_key": "testing",
    }
    assert on_disk["api"]["base_url"].endswith("/v1")
    assert {
        "method": "GET",
        "path": "/orders/{orderId}",
        "function": "EchoFunction",
        "api_key_required": False,
    } in on_disk["api"]["routes"]
    assert on_disk["sandboxes"]["netsuite"]["account_id"] == "TSTDRV1"
    assert on_disk["sandboxes"]["netsuite"]["admin_url"].endswith("/__admin")
    assert on_disk["ca_bundle"].endswith("ca.pem")
    assert on_disk["resources"]["PlainQueue"]["url"].startswith(stack.moto_url)
