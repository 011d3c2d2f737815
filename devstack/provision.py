"""Creates the template's AWS resources in moto's server; answers their names, ARNs and URLs.

Every resource comes from the template, never from a second list. A resource is created the
first time anything needs it (a `!Ref`, a `!GetAtt`, or the pass over all resources), so
dependencies such as a queue's dead-letter queue are created first without a sort.

Physical names: the resource's own name property when it has one (`QueueName`, `TableName`
...), else `salesbridge-local-<LogicalId>` (lower case for buckets, `.fifo` for FIFO queues).

Types that moto cannot hold, or that mean nothing locally (IAM roles, log groups, layers, API
Gateway deployments, Lambda functions themselves, which run in-process), are not faked: they
are listed as skipped with a reason, yet still answer `Ref` and `Fn::GetAtt` with plausible
names and ARNs so that environment variables and policies evaluate.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devstack.template import ACCOUNT_ID, REGION, STACK_NAME, Evaluator, Template, TemplateError

log = logging.getLogger("devstack.provision")

ClientFactory = Callable[[str], Any]


@dataclass
class Resource:
    """What the stack knows about one resource once it exists (or was skipped)."""

    logical_id: str
    type: str
    name: str
    arn: str
    url: str | None = None
    ref: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None  # why it was not created

    def describe(self) -> dict[str, Any]:
        summary: dict[str, Any] = {"type": self.type, "name": self.name, "arn": self.arn}
        if self.url:
            summary["url"] = self.url
        if self.skipped:
            summary["skipped"] = self.skipped
        return summary


_NAME_PROPERTY = {
    "AWS::SQS::Queue": "QueueName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Serverless::SimpleTable": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::SSM::Parameter": "Name",
    "AWS::SNS::Topic": "TopicName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::Events::Rule": "Name",
    "AWS::Scheduler::Schedule": "Name",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Serverless::Api": "Name",
    "AWS::Serverless::LayerVersion": "LayerName",
}

_SKIP_REASONS = {
    "AWS::Serverless::Function": "runs in-process (devstack.lambdas)",
    "AWS::Lambda::Function": "runs in-process (devstack.lambdas)",
    "AWS::Serverless::Api": "served by devstack.api over HTTP",
    "AWS::Serverless::LayerVersion": "layers are on sys.path locally",
    "AWS::Events::Rule": "schedules run by devstack.schedules",
    "AWS::Scheduler::Schedule": "schedules run by devstack.schedules",
}

_SQS_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "Policy",
)


class Provisioner:
    def __init__(self, template: Template, client: ClientFactory) -> None:
        self.template = template
        self.client = client
        self.resources: dict[str, Resource] = {}
        self._in_progress: set[str] = set()
        self.evaluator = Evaluator(template, self._ref, self._get_att)

    # -- public -----------------------------------------------------------------------------

    def provision_all(self) -> dict[str, Resource]:
        for logical_id in self.template.resources:
            if self.evaluator.is_enabled(self.template.resources[logical_id]):
                self.ensure(logical_id)
        return self.resources

    def ensure(self, logical_id: str) -> Resource:
        if logical_id in self.resources:
            return self.resources[logical_id]
        spec = self._spec(logical_id)
        if logical_id in self._in_progress:
            raise TemplateError(f"circular reference through {logical_id}")
        self._in_progress.add(logical_id)
        try:
            resource = self._create(logical_id, spec)
        finally:
            self._in_progress.discard(logical_id)
        self.resources[logical_id] = resource
        log.debug("%s %s -> %s", resource.type, logical_id, resource.name)
        return resource

    def resolve(self, value: Any) -> Any:
        return self.evaluator.resolve(value)

    # -- intrinsic callbacks -----------------------------------------------------------------

    def _ref(self, logical_id: str) -> Any:
        return self.ensure(logical_id).ref

    def _get_att(self, logical_id: str, attribute: str) -> Any:
        resource = self.ensure(logical_id)
        if attribute in resource.attributes:
            return resource.attributes[attribute]
        if resource.skipped:
            return f"{resource.arn}/{attribute}"
        raise TemplateError(f"{logical_id} ({resource.type}) has no attribute {attribute}")

    def _spec(self, logical_id: str) -> dict[str, Any]:
        spec = self.template.resources.get(logical_id)
        if spec is not None:
            return spec
        if logical_id == "ServerlessRestApi":  # SAM's implicit API
            return {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "Prod"}}
        if logical_id.endswith("Role") and logical_id[:-4] in self.template.resources:
            return {"Type": "AWS::IAM::Role", "Properties": {}}  # SAM's implicit function role
        raise TemplateError(f"unknown resource {logical_id}")

    # -- creation --------------------------------------------------------------------------------

    def _create(self, logical_id: str, spec: dict[str, Any]) -> Resource:
        resource_type = str(spec["Type"])
        creator = _CREATORS.get(resource_type)
        if creator is None:
            return self._skipped(logical_id, spec, _SKIP_REASONS.get(resource_type, "not local"))
        properties = self.resolve(spec.get("Properties", {})) or {}
        name = self._physical_name(logical_id, resource_type, properties)
        resource = creator(self, logical_id, name, properties)
        resource.properties = properties
        return resource

    def _physical_name(
        self, logical_id: str, resource_type: str, properties: dict[str, Any]
    ) -> str:
        explicit = properties.get(_NAME_PROPERTY.get(resource_type, ""))
        if explicit:
            return str(explicit)
        name = f"{STACK_NAME}-{logical_id}"
        if resource_type == "AWS::S3::Bucket":
            return name.lower()[:63]
        if resource_type == "AWS::SQS::Queue" and _truthy(properties.get("FifoQueue")):
            return f"{name[:75]}.fifo"
        return name

    def _skipped(self, logical_id: str, spec: dict[str, Any], reason: str) -> Resource:
        resource_type = str(spec["Type"])
        name_property = _NAME_PROPERTY.get(resource_type)
        name = f"{STACK_NAME}-{logical_id}"
        if name_property and name_property in spec.get("Properties", {}):
            try:
                name = str(self.resolve(spec["Properties"][name_property]))
            except TemplateError as exc:
                log.debug("name of %s not evaluated: %s", logical_id, exc)
        arn = _arn_for(resource_type, name, logical_id)
        attributes: dict[str, Any] = {"Arn": arn}
        ref = name
        if resource_type in ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi"):
            ref = api_id(logical_id)
            attributes["RootResourceId"] = api_id(logical_id + "/")
        if resource_type == "AWS::Serverless::LayerVersion":
            ref = arn
        return Resource(
            logical_id, resource_type, name, arn, ref=ref, attributes=attributes, skipped=reason
        )


def api_id(logical_id: str) -> str:
    """A stable 10-character id, shaped like API Gateway's."""
    digest = hashlib.sha256(logical_id.encode()).digest()
    alphabet = string.ascii_lowercase + string.digits
    return "".join(alphabet[byte % len(alphabet)] for byte in digest[:10])


def _arn_for(resource_type: str, name: str, logical_id: str) -> str:
    prefix = f"arn:aws:{{}}:{REGION}:{ACCOUNT_ID}"
    match resource_type:
        case "AWS::Serverless::Function" | "AWS::Lambda::Function":
            return f"{prefix.format('lambda')}:function:{name}"
        case "AWS::IAM::Role":
            return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"
        case "AWS::Logs::LogGroup":
            return f"{prefix.format('logs')}:log-group:{name}:*"
        case "AWS::Events::Rule":
            return f"{prefix.format('events')}:rule/{name}"
        case "AWS::Scheduler::Schedule":
            return f"{prefix.format('scheduler')}:schedule/default/{name}"
        case "AWS::Serverless::Api":
            return f"arn:aws:apigateway:{REGION}::/restapis/{api_id(logical_id)}"
        case "AWS::Serverless::LayerVersion":
            return f"{prefix.format('lambda')}:layer:{name}:1"
    service = resource_type.split("::")[1].lower() if "::" in resource_type else "unknown"
    return f"{prefix.format(service)}:{name}"


def _truthy(value: Any) -> bool:
    return str(value).lower() == "true"


def _tags_list(tags: Any) -> list[dict[str, str]]:
    if isinstance(tags, dict):
        return [{"Key": str(k), "Value": str(v)} for k, v in tags.items()]
    return [{"Key": str(t["Key"]), "Value": str(t["Value"])} for t in tags or []]


# -- one creator per type ------------------------------------------------------------------------

Creator = Callable[[Provisioner, str, str, dict[str, Any]], Resource]


def _queue(p: Provisioner, logical_id: str, name: str, props: dict[str, Any]) -> Resource:
    attributes = {}
    for key in _SQS_ATTRIBUTES:
        if key in props:
            value = props[key]
            if isinstance(value, dict):
                value = json.dumps(value)
            elif isinstance(value, bool):
                value = str(value).lower()
            attributes[key] = str(value)
    sqs = p.client("sqs")
    tags = {t["Key"]: t["Value"] for t in _tags_list(props.get("Tags"))}
    url = sqs.create_queue(QueueName=name, Attributes=attributes, tags=tags)["QueueUrl"]
    arn = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}"
    return Resource(
        logical_id,
        "AWS::SQS::Queue",
        name,
        arn,
        url=url,
        ref=url,
        attributes={"Arn": arn, "QueueName": name, "QueueUrl": url},
    )


_GSI_KEYS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput", "OnDemandThroughput")
_LSI_KEYS = ("IndexName", "KeySchema", "Projection")


def _table(p: Provisioner, logical_id: str, name: str, props: dict[str, Any]) -> Resource:
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    if request["BillingMode"] == "PROVISIONED":
        request["ProvisionedThroughput"] = props.get(
            "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        )
    if props.get("GlobalSecondaryIndexes"):
        request["GlobalSecondaryIndexes"] = [
            {k: v for k, v in gsi.items() if k in _GSI_KEYS}
            for gsi in props["GlobalSecondaryIndexes"]
        ]
    if props.get("LocalSecondaryIndexes"):
        request["LocalSecondaryIndexes"] = [
            {k: v for k, v in lsi.items() if k in _LSI_KEYS}
            for lsi in props["LocalSecondaryIndexes"]
        ]
    stream = props.get("StreamSpecification")
    if stream:
        request["StreamSpecification"] = {"StreamEnabled": True, **stream}
    if props.get("Tags"):
        request["Tags"] = _tags_list(props["Tags"])
    for key in ("TableClass", "DeletionProtectionEnabled"):
        if key in props:
            request[key] = props[key]
    return _create_table(p, logical_id, "AWS::DynamoDB::Table", request, props)


def _simple_table(p: Provisioner, logical_id: str, name: str, props: dict[str, Any]) -> Resource:
    key = props.get("PrimaryKey", {"Name": "id", "Type": "String"})
    type_code = {"String": "S", "Number": "N", "Binary": "B"}[key.get("Type", "String")]
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": [{"AttributeName": key["Name"], "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": key["Name"], "AttributeType": type_code}],
    }
    if "ProvisionedThroughput" in props:
        request["BillingMode"] = "PROVISIONED"
        request["ProvisionedThroughput"] = props["ProvisionedThroughput"]
    else:
        request["BillingMode"] = "PAY_PER_REQUEST"
    if props.get("Tags"):
        request["Tags"] = _tags_list(props["Tags"])
    return _create_table(p, logical_id, "AWS::Serverless::SimpleTable", request, props)


def _create_table(
    p: Provisioner,
    logical_id: str,
    resource_type: str,
    request: dict[str, Any],
    props: dict[str, Any],
) -> Resource:
    dynamodb = p.client("dynamodb")
    description = dynamodb.create_table(**request)["TableDescription"]
    name = request["TableName"]
    ttl = props.get("TimeToLiveSpecification")
    if ttl and _truthy(ttl.get("Enabled")):
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
        )
    pitr = props.get("PointInTimeRecoverySpecification", {})
    if _truthy(pitr.get("PointInTimeRecoveryEnabled")):
        dynamodb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
    arn = description["TableArn"]
    attributes = {"Arn": arn, "StreamArn": description.get("LatestStreamArn", f"{arn}/stream/x")}
    return Resource(logical_id, resource_type, name, arn, ref=name, attributes=attributes)


def _bucket(p: Provisioner, logical_id: str, name: str, props: dict[str, Any]) -> Resource:
    s3 = p.client("s3")
    s3.create_bucket(Bucket=name)
    versioning = props.get("VersioningConfiguration", {}).get("Status")
    if versioning:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
    cors = props.get("CorsConfiguration", {}).get("CorsRules")
    if cors:
        s3.put_bucket_cors(
            Bucket=name, CORSConfiguration={"CORSRules": [_cors_rule(r) for r in cors]}
        )
    if props.get("Tags"):
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tags_list(props["Tags"])})
    notifications = _notification_configuration(props.get("NotificationConfiguration") or {})
    if notifications:  # moto itself delivers S3 events to SQS and SNS
        s3.put_bucket_notification_configuration(
            Bucket=name, NotificationConfiguration=notifications
        )
    arn = f"arn:aws:s3:::{name}"
    attributes = {
        "Arn": arn,
        "DomainName": f"{name}.s3.amazonaws.com",
        "RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com",
    }
    return Resource(logical_id, "AWS::S3::Bucket", name, arn, ref=name, attributes=attributes)


def _notification_configuration(cfn: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's queue and topic notifications in the S3 API's spelling. Lambda
    configurations are left to the stack's bucket watchers (moto cannot call in-process code)."""
    api: dict[str, Any] = {}
    for section, target_key, api_key in (
        ("QueueConfigurations", "Queue", "QueueArn"),
        ("TopicConfigurations", "Topic", "TopicArn"),
    ):
        for item in cfn.get(section, []):
            entry: dict[str, Any] = {api_key: item[target_key], "Events": [item["Event"]]}
            rules = ((item.get("Filter") or {}).get("S3Key") or {}).get("Rules")
            if rules:
                entry["Filter"] = {"Key": {"FilterRules": rules}}
            api.setdefault(section, []).append(entry)
    return api


def _cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation spells two CORS keys differently from the S3 API."""
    renamed = {"ExposedHeaders": "ExposeHeaders", "MaxAge": "MaxAgeSeconds", "Id": "ID"}
    return {renamed.get(key, key): value for key, value in rule.items()}


def _secret(p: Provisioner, logical_id: str, name: str, props: dict[str, Any]) -> Resource:
    value = props.get("SecretString")
    if value is None:
        value = _generate_secret(props.get("GenerateSecretString", {}))
    request: dict[str, Any] = {"Name": name, "SecretString": str(value)}
    if "Description" in props:
        request["Description"] = props["Description"]
    if props.get("Tags"):
        request["Tags"] = _tags_list(props["Tags"])
    arn = p.client("secretsmanager").create_secret(**request)["ARN"]
    return Resource(
        logical_id, "AWS::SecretsManager::Secret", name, arn, ref=arn, attributes={"Id": arn}
    )


def _generate_secret(spec: dict[str, Any]) -> str:
    length = int(spec.get("PasswordLength", 32))
    excluded = set(str(spec.get("ExcludeCharacters", "")))
    alphabet = [c for c in string.ascii_letters + string.digits if c not in excluded]
    password = "".join(secrets.choice(alphabet) for _ in range(length))
    if "SecretStringTemplate" in spec and "GenerateStringKey" in spec:
        document = json.loads(spec["SecretStringTemplate"])
        document[spec["GenerateStringKey"]] = password
        return json.dumps(document)
    return password


def _parameter(p: Provisioner, logical_id: str, name: str, props: dict[str, Any]) -> Resource:
    request: dict[str, Any] = {
        "Name": name,
        "Type": props.get("Type", "String"),
        "Value": str(props["Value"]),
    }
    for key in ("Description", "Tier", "AllowedPattern", "DataType"):
        if key in props:
            request[key] = props[key]
    if props.get("Tags"):
        request["Tags"] = _tags_list(props["Tags"])
    p.client("ssm").put_parameter(**request)
    arn = f"arn:aws:ssm:{REGION}:{ACCOUNT_ID}:parameter/{name.lstrip('/')}"
    attributes = {"Type": request["Type"], "Value": request["Value"], "Arn": arn}
    return Resource(logical_id, "AWS::SSM::Parameter", name, arn, ref=name, attributes=attributes)


def _topic(p: Provisioner, logical_id: str, name: str, props: dict[str, Any]) -> Resource:
    keys = ("DisplayName", "FifoTopic", "ContentBasedDeduplication", "KmsMasterKeyId")
    attributes = {
        key: str(props[key]).lower() if isinstance(props[key], bool) else str(props[key])
        for key in keys
        if key in props
    }
    sns = p.client("sns")
    name = (
        f"{name}.fifo" if _truthy(props.get("FifoTopic")) and not name.endswith(".fifo") else name
    )
    arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    for subscription in props.get("Subscription", []):
        sns.subscribe(
            TopicArn=arn, Protocol=subscription["Protocol"], Endpoint=subscription["Endpoint"]
        )
    return Resource(
        logical_id,
        "AWS::SNS::Topic",
        name,
        arn,
        ref=arn,
        attributes={"TopicArn": arn, "TopicName": name},
    )


def _subscription(p: Provisioner, logical_id: str, name: str, props: dict[str, Any]) -> Resource:
    attributes = {
        key: json.dumps(props[key]) if isinstance(props[key], dict) else str(props[key]).lower()
        for key in ("RawMessageDelivery", "FilterPolicy", "RedrivePolicy")
        if key in props
    }
    arn = p.client("sns").subscribe(
        TopicArn=props["TopicArn"],
        Protocol=props["Protocol"],
        Endpoint=props["Endpoint"],
        Attributes=attributes,
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    return Resource(logical_id, "AWS::SNS::Subscription", arn, arn, ref=arn)


_ALARM_KEYS = (
    "AlarmName",
    "AlarmDescription",
    "ActionsEnabled",
    "OKActions",
    "AlarmActions",
    "InsufficientDataActions",
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "Dimensions",
    "Period",
    "Unit",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "EvaluateLowSampleCountPercentile",
    "Metrics",
    "ThresholdMetricId",
)


def _alarm(p: Provisioner, logical_id: str, name: str, props: dict[str, Any]) -> Resource:
    arn = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT_ID}:alarm:{name}"
    request = {key: props[key] for key in _ALARM_KEYS if key in props}
    request["AlarmName"] = name
    resource = Resource(
        logical_id, "AWS::CloudWatch::Alarm", name, arn, ref=name, attributes={"Arn": arn}
    )
    try:  # best effort: an alarm is never on the path of a test
        p.client("cloudwatch").put_metric_alarm(**request)
    except Exception as exc:  # moto rejects some metric-math shapes
        log.warning("alarm %s not created: %s", logical_id, exc)
        resource.skipped = f"moto rejected it: {exc}"
    return resource


def _email_identity(p: Provisioner, logical_id: str, name: str, props: dict[str, Any]) -> Resource:
    """An SES identity, verified at once (moto does; in AWS its owner confirms it)."""
    identity = str(props["EmailIdentity"])
    p.client("sesv2").create_email_identity(EmailIdentity=identity)
    arn = f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/{identity}"
    return Resource(logical_id, "AWS::SES::EmailIdentity", identity, arn, ref=identity)


_CREATORS: dict[str, Creator] = {
    "AWS::SQS::Queue": _queue,
    "AWS::DynamoDB::Table": _table,
    "AWS::Serverless::SimpleTable": _simple_table,
    "AWS::S3::Bucket": _bucket,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::SSM::Parameter": _parameter,
    "AWS::SNS::Topic": _topic,
    "AWS::SNS::Subscription": _subscription,
    "AWS::CloudWatch::Alarm": _alarm,
    "AWS::SES::EmailIdentity": _email_identity,
}
