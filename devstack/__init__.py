"""The local stack: the whole SAM application from `template.yaml`, offline, in one process.

    make local                       # python -m devstack run   (foreground; Ctrl-C / SIGTERM stop)
    make demo                        # python -m devstack demo  (seed, run scenarios, stop)
    python -m devstack run --time-scale 0.01 --endpoints /tmp/endpoints.json

    with LocalStack("template.yaml", time_scale=0.01) as stack:   # from Python (tests, bench)
        httpx.post(stack.api.base_url + "/webhooks/netsuite/orders", ...)
        stack.drain(timeout=10)  # queues empty, buckets seen, nothing in flight

`LocalStack(template_path="template.yaml", *, sandboxes=True | [names] | {name: AppClass},
time_scale=1.0, state_dir=".local", endpoints_path=None, api_port=0, moto_port=0,
run_schedules=False, seed_demo_data=False, parameter_overrides=None)` offers `start()`,
`stop()`, the context manager, `endpoints` (the file's content), `client(service)` (boto3 on
moto), `invoke(logical_id, event)`, `run_schedule("Function" | "Function.Event")`,
`drain(timeout)`, `sandbox_admin(name)`, `handler_module(logical_id)` (the function's own copy
of its module), `api` (the main `LocalApi`), `resources`, `functions`, `invocations` (log).

`python -m devstack run|demo [--template T] [--time-scale X] [--state-dir D] [--endpoints F]
[--api-port N] [--moto-port N] [--no-sandboxes] [--sandbox NAME ...] [--schedules]
[--demo-data] [--scenarios PACKAGE] [-v]`. `demo` = seed the sandboxes' `demo_seed()` (before
their webhooks are wired, so existing records fire nothing), run rate schedules, run the
scenarios of `devstack/scenarios/` in name order, stop; exit 1 if one failed.

What it does, each part in its own module:
- `template`: reads the template (CloudFormation short tags, Globals merged as SAM does) and
  evaluates intrinsics (Ref, GetAtt, Sub, Join, If, conditions, mappings, pseudo parameters).
- `provision`: starts nothing itself; creates every queue, table, bucket, secret, parameter,
  topic and alarm of the template in moto's server (`ThreadedMotoServer` on 127.0.0.1, port 0).
  What cannot exist locally (IAM roles, log groups, layers, APIs, the functions) is listed as
  skipped, never faked.
- `lambdas`: each function's handler imported and invoked in-process with a Lambda context and
  its own environment and module copies. Invocations are serialized by one lock (see there).
- `api`: each REST API of the template served over plain HTTP on 127.0.0.1 with API Gateway's
  proxy event and its error answers (403/413/502), `x-api-key` checked where required.
- `sqs`: one poller per SQS event source with Lambda's batch semantics (partial batch
  failures, visibility timeout, redrive to the DLQ by moto after maxReceiveCount).
- `s3`: bucket watchers delivering S3 notification events once per new object version.
- `schedules`: schedule events on demand (`run_schedule`) and, in demo mode, at their rate.
- `sandbox_runner`: the sandboxes (salesforce, netsuite, unleashed, intacct; whichever exist)
  on one local CA under `<state_dir>/ca/`, secrets and settings seeded from them.
- `stack.LocalStack`: puts the parts together and writes the endpoints file.

`time_scale` (e.g. 0.01) multiplies every wait the stack itself emulates: how long a failed SQS
message stays invisible, SQS batching windows, S3 async retry delays, and schedule periods in
demo mode. Queues keep
their template `VisibilityTimeout` (SQS counts whole seconds); the poller brings a failed message
back after the scaled time instead.

The endpoints file, `.local/endpoints.json` by default (`<state_dir>/endpoints.json`; override
with `endpoints_path=` or `--endpoints`), is written once everything is up and removed on stop:

    {"api": {"base_url": "http://127.0.0.1:PORT/Prod",   # stage included; "/..." also works
             "root_url", "stage", "api_key", "health_url",
             "routes": [{"method", "path", "function", "api_key_required"}]},
     "apis": {LogicalId: same as "api"},                  # when a template has several APIs
     "aws": {"endpoint_url", "region", "access_key_id", "secret_access_key"},
     "resources": {LogicalId: {"type", "name", "arn", "url"?, "skipped"?}},
     "functions": {LogicalId: {"name", "handler"}},
     "event_sources": {"sqs": [...], "s3": [...], "schedules": {...}},
     "sandboxes": {name: {"base_url", "admin_url", ...its connection(base_url)}},
     "ca_bundle": "<state_dir>/ca/ca.pem", "webhook_keys": {source: key},
     "webhooks": {sandbox: url it posts to}, "time_scale", "started_at", "pid"}

Choices and limits:
- One stack per process (enforced: a second `start()` raises): moto's state is global to a
  process and `stop()` resets it. Tests share one fixture-scoped stack, or run
  `python -m devstack run` in a child process.
- Invocations are serialized (one lock; see `lambdas`). So a handler must not call the stack's
  own API synchronously: that request waits for the lock. The sandboxes post their webhooks
  from background threads, which is fine.
- A `Stage` parameter whose `AllowedValues` include "local" is set to "local" (unless
  `parameter_overrides` says otherwise); functions always see `SALESBRIDGE_STAGE=local`.
- Handlers import from their `CodeUri`, or from the nearest parent folder holding the handler's
  package path (SAM's `ParentPackageMode`); a layer with `BuildProperties.ParentPackages`
  imports from its parent folder. These folders are appended to `sys.path`, never prepended.
- S3 notifications: SAM `Events: Type: S3` and a bucket's `LambdaConfigurations` are delivered
  by bucket watchers; `QueueConfigurations`/`TopicConfigurations` by moto itself.
- Not emulated: Lambda authorizers and usage plans, HTTP APIs (v2 payload), DynamoDB/Kinesis
  stream sources, SNS -> Lambda subscriptions, cron() schedules at their time (on demand only),
  function timeouts (an overrun is logged, not killed), reserved concurrency.

Template conventions the stack understands (`Metadata: {salesbridge: {...}}` on a resource):
`sandbox: <name>` on a secret (seeded with that sandbox's connection), `webhook_keys: true` plus
`keys: [names]` on a secret (random signing keys), `settings: true` on an SSM parameter
(seeded from `settings/local.json` when present).
"""

from devstack.stack import DEFAULT_STATE_DIR, ENDPOINTS_FILE, Invocation, LocalStack

__all__ = ["DEFAULT_STATE_DIR", "ENDPOINTS_FILE", "Invocation", "LocalStack"]
