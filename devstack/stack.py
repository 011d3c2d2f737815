"""`LocalStack`: the whole application from template.yaml, running in this process.

Start order: moto's server; the template's resources in it; the functions (not imported until
first invoked); the sandboxes on one CA; secrets and settings seeded; the API servers; the SQS
pollers, S3 watchers and (in demo mode) schedule tickers; the endpoints file. `stop()` undoes
all of it in reverse, resets moto's state (it is global to the process) and removes the file.

A state directory belongs to one running stack at a time: its CA, endpoints file and logs are
that stack's, and a second stack writing there would replace the first one's CA under its
feet (its own calls would then fail TLS verification). So `start()` takes an exclusive lock on
`<state_dir>/stack.lock` and refuses, naming the holder's pid, when another process holds it;
the operating system releases the lock when the process ends, however it ends.
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx

from devstack import sandbox_runner
from devstack.api import HEALTH_PATH, ApiRoute, LocalApi
from devstack.lambdas import LocalFunction
from devstack.provision import Provisioner, Resource, api_id
from devstack.s3 import BucketWatcher, S3Subscription
from devstack.schedules import Schedule, ScheduleTicker, ScheduleTrigger
from devstack.sqs import SqsPoller, SqsSource
from devstack.template import REGION, Template, TemplateError, load_template

log = logging.getLogger("devstack")

DEFAULT_STATE_DIR = Path(".local")
ENDPOINTS_FILE = "endpoints.json"
LOCK_FILE = "stack.lock"
FAKE_CREDENTIALS = {"access_key_id": "testing", "secret_access_key": "testing"}
IMPLICIT_API = "ServerlessRestApi"

# moto keeps its state in module globals: two stacks in one process would share (and reset)
# each other's resources, so a second one is refused rather than silently corrupted.
_active_stack: LocalStack | None = None
_active_lock = threading.Lock()


class StateDirInUse(RuntimeError):
    """Another running stack owns this state directory."""


@dataclass
class Invocation:
    """One entry of the stack's invocation log (newest last)."""

    function: str
    source: str  # api, sqs, s3, schedule, direct
    ok: bool
    error: str | None
    seconds: float


class LocalStack:
    def __init__(
        self,
        template_path: str | Path = "template.yaml",
        *,
        sandboxes: bool | Iterable[str] | dict[str, type] = True,
        time_scale: float = 1.0,
        state_dir: str | Path = DEFAULT_STATE_DIR,
        endpoints_path: str | Path | None = None,
        api_port: int = 0,
        moto_port: int = 0,
        run_schedules: bool = False,
        event_sources: bool = True,
        seed_demo_data: bool = False,
        parameter_overrides: dict[str, Any] | None = None,
    ) -> None:
        self.template_path = Path(template_path).resolve()
        self.state_dir = Path(state_dir).resolve()
        self.endpoints_path = Path(endpoints_path or self.state_dir / ENDPOINTS_FILE).resolve()
        self.time_scale = time_scale
        self.run_schedules = run_schedules
        # Off: queues fill but nothing consumes them (to inspect what a receiver enqueued).
        self.event_sources_enabled = event_sources
        self.seed_demo_data = seed_demo_data
        self._wanted_sandboxes = sandboxes
        self._api_port = api_port
        self._moto_port = moto_port
        self._parameter_overrides = parameter_overrides or {}
        self.template: Template | None = None
        self._provisioner: Provisioner | None = None
        self.wired_webhooks: dict[str, str] = {}
        self.demo_seeded: list[str] = []
        self.resources: dict[str, Resource] = {}
        self.functions: dict[str, LocalFunction] = {}
        self.apis: dict[str, LocalApi] = {}
        self.sqs_sources: list[SqsSource] = []
        self.s3_subscriptions: list[S3Subscription] = []
        self.schedules: dict[str, Schedule] = {}
        self.schedule_trigger: ScheduleTrigger | None = None
        self.sandboxes: dict[str, sandbox_runner.RunningSandbox] = {}
        self.webhook_keys: dict[str, str] = {}
        self.invocations: collections.deque[Invocation] = collections.deque(maxlen=1000)
        self.endpoints: dict[str, Any] = {}
        self.ca: Any = None
        self._moto: Any = None
        self._moto_url = ""
        self._session: boto3.Session | None = None
        self._workers: list[Any] = []  # pollers, watchers, tickers: everything with stop()
        self._started = False
        self._stop_lock = threading.Lock()
        self._state_lock: Any = None  # the open lock file while this stack owns state_dir

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> LocalStack:
        global _active_stack
        if self._started:
            return self
        with _active_lock:
            if _active_stack is not None:
                raise RuntimeError(
                    "another LocalStack is running in this process (moto's state is global); "
                    "stop it first, or run this one in a child process"
                )
            _active_stack = self
        try:
            self._lock_state_dir()
        except BaseException:
            _release_active(self)
            raise
        self._started = True
        try:
            _forget_aws_clients()
            self._start_moto()
            self.template = load_template(self.template_path, self._parameter_overrides)
            _default_stage_to_local(self.template, self._parameter_overrides)
            self._provisioner = Provisioner(self.template, self.client)
            self.resources = self._provisioner.provision_all()
            self._build_functions(self._provisioner)
            self._start_sandboxes()
            self._start_apis()
            self._seed_secrets_and_settings()
            if self.event_sources_enabled:
                self._start_event_sources(self._provisioner)
            self._start_schedule_trigger()
            self._write_endpoints()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        with self._stop_lock:
            if not self._started:
                return
            self._started = False
            # event sources first (no new invocations), then every server at once: each
            # werkzeug server takes up to half a second to notice its shutdown
            _in_parallel([worker.stop for worker in self._workers])
            self._workers.clear()
            servers = [api.stop for api in self.apis.values()]
            if self.schedule_trigger is not None:
                servers.append(self.schedule_trigger.stop)
                self.schedule_trigger = None
            servers += [sandbox.server.stop for sandbox in self.sandboxes.values()]
            _in_parallel(servers)
            self.sandboxes.clear()
            if self._moto is not None:
                _quietly(lambda: httpx.post(f"{self._moto_url}/moto-api/reset", timeout=5))
                _quietly(self._moto.stop)
                self._moto = None
            self.endpoints_path.unlink(missing_ok=True)
            self._unlock_state_dir()
            _release_active(self)

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what callers use ----------------------------------------------------------------------

    @property
    def moto_url(self) -> str:
        return self._moto_url

    def client(self, service: str) -> Any:
        """A boto3 client on moto's server (any thread may create its own)."""
        if self._session is None:
            self._session = boto3.Session(
                aws_access_key_id=FAKE_CREDENTIALS["access_key_id"],
                aws_secret_access_key=FAKE_CREDENTIALS["secret_access_key"],
                region_name=REGION,
            )
        return self._session.client(service, endpoint_url=self._moto_url)  # type: ignore[call-overload]

    def invoke(self, logical_id: str, event: Any, *, source: str = "direct") -> Any:
        """Invoke a function in-process now (serialized with every other invocation)."""
        function = self.functions[logical_id]
        started = time.monotonic()
        try:
            result = function.invoke(event, self._invocation_environment())
        except Exception as exc:
            self.invocations.append(
                Invocation(logical_id, source, False, repr(exc), time.monotonic() - started)
            )
            raise
        self.invocations.append(
            Invocation(logical_id, source, True, None, time.monotonic() - started)
        )
        return result

    @contextlib.contextmanager
    def paused(self, function: str) -> Iterator[SqsPoller]:
        """Stop polling the function's queue for the block (to hand it exact batches with
        `sqs_event` + `invoke`); answers the paused poller. Polling resumes afterwards."""
        poller = next(
            w for w in self._workers if isinstance(w, SqsPoller) and w.source.function == function
        )
        poller.stop()
        self._workers.remove(poller)
        try:
            yield poller
        finally:
            fresh = SqsPoller(
                poller.source, self.client("sqs"), self._invoker("sqs"), self.time_scale
            )
            self._workers.append(fresh.start())

    def sqs_event(self, function: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """Lambda's SQS event for received `messages` (AttributeNames All), as the poller
        would build it for `function`."""
        source = next(s for s in self.sqs_sources if s.function == function)
        builder = SqsPoller(source, self.client("sqs"), self._invoker("sqs"), self.time_scale)
        return {"Records": [builder.record(message) for message in messages]}

    def run_schedule(self, key: str) -> Any:
        """Invoke a scheduled function now; `key` is `Function` or `Function.EventName`."""
        matches = [s for s in self.schedules.values() if key in (s.key, s.function)]
        if len(matches) != 1:
            raise KeyError(
                f"{key!r} names {len(matches)} schedules; use one of {sorted(self.schedules)}"
            )
        return self.invoke(matches[0].function, matches[0].event(), source="schedule")

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until every event-source queue is empty, every bucket change delivered and
        nothing is in flight. Raises TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        quiet_checks = 0
        while quiet_checks < 2:  # twice in a row: a handler may have just enqueued more
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"local stack not drained after {timeout}s: {self._pending_summary()}"
                )
            quiet_checks = quiet_checks + 1 if self._is_quiet() else 0
            time.sleep(0.05)

    def console_url(self) -> str | None:
        """The operator console's URL, when the template has one (a GET /console route)."""
        for api in self.apis.values():
            if any(route.path == "/console" for route in api.routes):
                return f"{api.base_url}/console"
        return None

    def sandbox_admin(self, name: str) -> Any:
        from sandboxes.common import SandboxAdmin

        return SandboxAdmin(self.sandboxes[name].base_url, str(self.ca.bundle_path))

    def handler_module(self, logical_id: str) -> Any:
        """The function's own copy of its handler module (module state is per function)."""
        return self.functions[logical_id].module(self._invocation_environment())

    @property
    def api(self) -> LocalApi:
        """The main API: SAM's implicit one if used, else the first declared."""
        if IMPLICIT_API in self.apis:
            return self.apis[IMPLICIT_API]
        if not self.apis:
            raise LookupError("the template has no API routes")
        return next(iter(self.apis.values()))

    def api_calls(self) -> dict[str, int]:
        """Outside API calls the functions have made so far, per sandbox (see `ApiCallMeter`)."""
        return {name: sandbox.meter.calls for name, sandbox in self.sandboxes.items()}

    # -- the state directory --------------------------------------------------------------------

    def _lock_state_dir(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        handle = (self.state_dir / LOCK_FILE).open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise StateDirInUse(
                f"another local stack (pid {holder}) is running with state directory "
                f"{self.state_dir}; stop it first, or give this one its own with --state-dir"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._state_lock = handle

    def _unlock_state_dir(self) -> None:
        if self._state_lock is not None:
            self._state_lock.close()  # closing releases the flock
            self._state_lock = None

    # -- building --------------------------------------------------------------------------------

    def _start_moto(self) -> None:
        from moto.server import ThreadedMotoServer

        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self._moto_port, verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self._moto_url = f"http://{host}:{port}"

    def _build_functions(self, provisioner: Provisioner) -> None:
        assert self.template is not None
        layer_paths = self._layer_paths(provisioner)
        for logical_id, spec in self.template.of_type("AWS::Serverless::Function").items():
            if not provisioner.evaluator.is_enabled(spec):
                continue
            props = spec.get("Properties", {})
            resource = provisioner.ensure(logical_id)
            handler = str(provisioner.resolve(props["Handler"]))
            code_uri = provisioner.resolve(props.get("CodeUri", "."))
            code_dir = self.template.directory / (code_uri if isinstance(code_uri, str) else ".")
            variables = provisioner.resolve(props.get("Environment", {}).get("Variables", {}))
            self.functions[logical_id] = LocalFunction(
                logical_id=logical_id,
                name=resource.name,
                arn=resource.arn,
                handler=handler,
                code_dir=_import_root(code_dir.resolve(), handler, self.template.directory),
                timeout=int(provisioner.resolve(props.get("Timeout", 3))),
                memory_size=int(provisioner.resolve(props.get("MemorySize", 128))),
                environment={k: _env_value(v) for k, v in (variables or {}).items()},
                events=dict(props.get("Events", {})),
                extra_paths=layer_paths,
            )

    def _layer_paths(self, provisioner: Provisioner) -> list[Path]:
        """Where each local layer's modules import from, as they would under /opt/python."""
        assert self.template is not None
        paths = []
        for spec in self.template.of_type("AWS::Serverless::LayerVersion").values():
            content = provisioner.resolve(spec.get("Properties", {}).get("ContentUri"))
            if not isinstance(content, str):
                continue
            directory = (self.template.directory / content).resolve()
            build = (spec.get("Metadata") or {}).get("BuildProperties") or {}
            if build.get("ParentPackages"):  # the directory is itself a package (`shared`)
                paths.append(directory.parent)
            elif (directory / "python").is_dir():
                paths.append(directory / "python")
            else:
                paths.append(directory)
        return paths

    def _start_sandboxes(self) -> None:
        wanted = self._wanted_sandboxes
        if wanted is False:
            return
        chosen: dict[str, type | None]
        if wanted is True:
            chosen = dict.fromkeys(sandbox_runner.available_sandboxes())
        elif isinstance(wanted, dict):
            chosen = dict(wanted)  # name -> app class (tests pass stand-ins)
        else:
            chosen = dict.fromkeys(wanted)
        from sandboxes.common import LocalCA

        # made even if no sandbox starts, so SALESBRIDGE_CA_BUNDLE names a real file
        self.ca = LocalCA(self.state_dir / "ca")
        self.sandboxes = sandbox_runner.start_sandboxes(chosen, self.ca)
        if self.seed_demo_data:
            # before webhooks are wired: the demo company's records already exist when
            # salesbridge is installed, so seeding them must not fire webhooks at it
            for name, sandbox in self.sandboxes.items():
                seed = sandbox_runner.demo_seed(name)
                if seed is not None:
                    with sandbox.app.lock:
                        sandbox.app.seed(seed)
                    self.demo_seeded.append(name)

    def _start_apis(self) -> None:
        assert self.template is not None
        for function in self.functions.values():
            for event in function.events.values():
                if event.get("Type") != "Api":
                    continue
                api = self._api_for(event.get("Properties", {}))
                api.routes.append(self._route(function.logical_id, api, event["Properties"]))
        for index, api in enumerate(self.apis.values()):
            port = self._api_port if index == 0 else 0
            api.start(lambda fn, event: self.invoke(fn, event, source="api"), port)

    def _api_for(self, props: dict[str, Any]) -> LocalApi:
        assert self.template is not None and self._provisioner is not None
        reference = props.get("RestApiId", {"Ref": IMPLICIT_API})
        logical_id = reference.get("Ref") if isinstance(reference, dict) else None
        if not logical_id:
            raise TemplateError(f"RestApiId must be a !Ref to an API, not {reference!r}")
        if logical_id not in self.apis:
            spec = self.template.resources.get(logical_id)
            raw = (spec or {}).get("Properties") or self.template.api_globals
            wanted = ("StageName", "BinaryMediaTypes", "Cors", "Auth")
            api_props = self._provisioner.resolve({k: v for k, v in raw.items() if k in wanted})
            self.apis[logical_id] = LocalApi(
                logical_id=logical_id,
                api_id=api_id(logical_id),
                stage=str(api_props.get("StageName", "Prod")),
                binary_media_types=list(api_props.get("BinaryMediaTypes", [])),
                cors=_cors(api_props.get("Cors")),
                default_key_required=bool(
                    (api_props.get("Auth") or {}).get("ApiKeyRequired", False)
                ),
            )
        return self.apis[logical_id]

    def _route(self, function: str, api: LocalApi, props: dict[str, Any]) -> ApiRoute:
        required = (props.get("Auth") or {}).get("ApiKeyRequired", api.default_key_required)
        return ApiRoute(str(props["Method"]).upper(), str(props["Path"]), function, bool(required))

    def _seed_secrets_and_settings(self) -> None:
        assert self.template is not None
        secretsmanager = self.client("secretsmanager")
        for logical_id, spec in self.template.resources.items():
            metadata = sandbox_runner.salesbridge_metadata(spec)
            resource = self.resources.get(logical_id)
            if not metadata or resource is None or resource.skipped:
                continue
            if metadata.get("webhook_keys"):
                keys = sandbox_runner.webhook_keys(list(metadata.get("keys", [])))
                self.webhook_keys.update(keys)
                sandbox_runner.seed_secret(secretsmanager, resource.arn, keys)
            sandbox = metadata.get("sandbox")
            if sandbox in self.sandboxes:
                connection = self.sandboxes[sandbox].connection()
                sandbox_runner.seed_secret(secretsmanager, resource.arn, connection)
            if metadata.get("console_app") in self.sandboxes:
                console_url = self.console_url()
                if console_url:
                    sandbox_runner.seed_console_app(
                        secretsmanager, resource.arn, self.sandboxes["salesforce"], console_url
                    )
            if metadata.get("settings"):
                settings_file = self.template.directory / "settings" / "local.json"
                sandbox_runner.seed_settings(self.client("ssm"), resource.name, settings_file)
        routes = [
            (route.method, f"{api.base_url}{route.path}")
            for api in self.apis.values()
            for route in api.routes
        ]
        self.wired_webhooks = sandbox_runner.wire_webhooks(
            self.sandboxes, routes, self.webhook_keys
        )

    def _start_event_sources(self, provisioner: Provisioner) -> None:
        by_arn = {r.arn: r for r in self.resources.values()}
        buckets: dict[str, list[S3Subscription]] = {}
        for function in self.functions.values():
            for event_name, event in function.events.items():
                props = provisioner.resolve(event.get("Properties", {})) or {}
                match event.get("Type"):
                    case "SQS":
                        self.sqs_sources.append(self._sqs_source(function, props, by_arn))
                    case "S3":
                        subscription = _s3_subscription(function.logical_id, props)
                        buckets.setdefault(subscription.bucket, []).append(subscription)
                        self.s3_subscriptions.append(subscription)
                    case "Schedule" | "ScheduleV2":
                        schedule = _schedule(function.logical_id, event_name, event["Type"], props)
                        self.schedules[schedule.key] = schedule
                    case "Api":
                        pass
                    case other:
                        log.warning("%s: event type %s is not emulated", function.logical_id, other)
        for subscription in self._bucket_lambda_configurations():
            buckets.setdefault(subscription.bucket, []).append(subscription)
            self.s3_subscriptions.append(subscription)
        for source in self.sqs_sources:
            if source.enabled:
                poller = SqsPoller(
                    source, self.client("sqs"), self._invoker("sqs"), self.time_scale
                )
                self._workers.append(poller.start())
        for bucket, subscriptions in buckets.items():
            watcher = BucketWatcher(
                bucket, subscriptions, self.client("s3"), self._invoker("s3"), self.time_scale
            )
            self._workers.append(watcher.start())
        if self.run_schedules:
            for schedule in self.schedules.values():
                if schedule.enabled and schedule.period_seconds:
                    ticker = ScheduleTicker(schedule, self._invoker("schedule"), self.time_scale)
                    self._workers.append(ticker.start())

    def _start_schedule_trigger(self) -> None:
        """Schedules on demand from outside the process (see `ScheduleTrigger`)."""
        self.schedule_trigger = ScheduleTrigger(
            self.run_schedule, lambda: {k: s.describe() for k, s in self.schedules.items()}
        ).start()

    def _bucket_lambda_configurations(self) -> list[S3Subscription]:
        """A bucket's own `NotificationConfiguration.LambdaConfigurations` (plain CloudFormation
        style), delivered like SAM's `Events: Type: S3`."""
        by_arn = {function.arn: function.logical_id for function in self.functions.values()}
        subscriptions = []
        for resource in self.resources.values():
            if resource.type != "AWS::S3::Bucket":
                continue
            configuration = resource.properties.get("NotificationConfiguration") or {}
            for item in configuration.get("LambdaConfigurations", []):
                function = by_arn.get(str(item["Function"]))
                if function is None:
                    log.warning(
                        "%s notifies %s, which is not a function of this template",
                        resource.logical_id,
                        item["Function"],
                    )
                    continue
                props = {"Bucket": resource.name, "Events": item["Event"]}
                subscriptions.append(_s3_subscription(function, {**props, **item}))
        return subscriptions

    def _sqs_source(
        self, function: LocalFunction, props: dict[str, Any], by_arn: dict[str, Resource]
    ) -> SqsSource:
        queue = by_arn.get(str(props["Queue"]))
        if queue is None or not queue.url:
            raise TemplateError(
                f"{function.logical_id}: SQS event on unknown queue {props['Queue']}"
            )
        window = props.get("MaximumBatchingWindowInSeconds", 0)
        return SqsSource(
            function=function.logical_id,
            queue_url=queue.url,
            queue_arn=queue.arn,
            batch_size=int(props.get("BatchSize", 10)),
            batching_window=float(window),
            report_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
            enabled=str(props.get("Enabled", True)).lower() != "false",
            visibility_timeout=int(queue.properties.get("VisibilityTimeout", 30)),
        )

    def _invoker(self, source: str) -> Any:
        return lambda fn, event: self.invoke(fn, event, source=source)

    def _invocation_environment(self) -> dict[str, str]:
        environment = {
            "AWS_ENDPOINT_URL": self._moto_url,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": FAKE_CREDENTIALS["access_key_id"],
            "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIALS["secret_access_key"],
            "AWS_SESSION_TOKEN": "testing",
            "AWS_SAM_LOCAL": "true",  # Powertools Tracer stays off, as under `sam local`
            "POWERTOOLS_TRACE_DISABLED": "true",
            "SALESBRIDGE_STAGE": "local",
        }
        if self.ca is not None:
            environment["SALESBRIDGE_CA_BUNDLE"] = str(self.ca.bundle_path)
        return environment

    # -- drain --------------------------------------------------------------------------------

    def _is_quiet(self) -> bool:
        workers_idle = all(
            not getattr(worker, "in_flight", False) for worker in self._workers
        ) and all(worker.settle() for worker in self._workers if isinstance(worker, BucketWatcher))
        return workers_idle and not any(self._queue_depths().values())

    def _queue_depths(self) -> dict[str, int]:
        sqs = self.client("sqs")
        names = (
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        )
        depths = {}
        for source in self.sqs_sources:
            attributes = sqs.get_queue_attributes(
                QueueUrl=source.queue_url, AttributeNames=list(names)
            )["Attributes"]
            depths[source.queue_arn] = sum(int(attributes.get(name, 0)) for name in names)
        return depths

    def _pending_summary(self) -> str:
        return json.dumps(
            {arn.rsplit(":", 1)[1]: depth for arn, depth in self._queue_depths().items() if depth}
        )

    # -- the endpoints file ---------------------------------------------------------------------

    def _write_endpoints(self) -> None:
        self.endpoints = {
            "api": self._describe_api(self.api) if self.apis else None,
            "apis": {lid: self._describe_api(api) for lid, api in self.apis.items()},
            "aws": {"endpoint_url": self._moto_url, "region": REGION, **FAKE_CREDENTIALS},
            "resources": {lid: r.describe() for lid, r in self.resources.items()},
            "functions": {
                lid: {"name": f.name, "handler": f.handler} for lid, f in self.functions.items()
            },
            "event_sources": {
                "sqs": [s.describe() for s in self.sqs_sources],
                "s3": [s.describe() for s in self.s3_subscriptions],
                "schedules": {key: s.describe() for key, s in self.schedules.items()},
            },
            "sandboxes": {name: s.describe() for name, s in self.sandboxes.items()},
            "ca_bundle": str(self.ca.bundle_path) if self.ca is not None else None,
            "webhook_keys": self.webhook_keys,
            "admin": (
                {"url": self.schedule_trigger.url, "token": self.schedule_trigger.token}
                if self.schedule_trigger is not None
                else None
            ),
            "webhooks": self.wired_webhooks,
            "time_scale": self.time_scale,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "pid": os.getpid(),
        }
        self.endpoints_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.endpoints_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.endpoints, indent=2))
        temporary.replace(self.endpoints_path)

    def _describe_api(self, api: LocalApi) -> dict[str, Any]:
        return {
            "base_url": api.base_url,
            "root_url": api.root_url,
            "stage": api.stage,
            "api_key": api.api_key,
            "health_url": f"{api.root_url}{HEALTH_PATH}",
            "routes": [route.describe() for route in api.routes],
        }


# -- helpers ----------------------------------------------------------------------------------


def _release_active(stack: LocalStack) -> None:
    global _active_stack
    with _active_lock:
        if _active_stack is stack:
            _active_stack = None


def _in_parallel(actions: list[Any]) -> None:
    threads = [threading.Thread(target=_quietly, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)


def _quietly(action: Any) -> None:
    try:
        action()
    except Exception as exc:
        log.debug("ignored during stop: %s", exc)


def _default_stage_to_local(template: Template, overrides: dict[str, Any]) -> None:
    """A `Stage` parameter that allows "local" is "local" here, unless the caller chose."""
    spec = template.document.get("Parameters", {}).get("Stage")
    if spec is not None and "Stage" not in overrides and "local" in spec.get("AllowedValues", []):
        template.parameters["Stage"] = "local"


def _import_root(code_dir: Path, handler: str, top: Path) -> Path:
    """The directory the handler's module imports from: CodeUri, or (SAM's ParentPackageMode)
    the nearest parent that holds the handler's package path, up to the template's folder."""
    module_path = Path(*handler.rsplit(".", 1)[0].split("."))
    candidates = [code_dir, *code_dir.parents]
    for directory in candidates:
        if (directory / module_path).with_suffix(".py").is_file() or (
            directory / module_path / "__init__.py"
        ).is_file():
            return directory
        if directory == top:
            break
    return code_dir


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _cors(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {"AllowOrigin": value}
    return dict(value)


def _s3_subscription(function: str, props: dict[str, Any]) -> S3Subscription:
    events = props.get("Events", ["s3:ObjectCreated:*"])
    rules = ((props.get("Filter") or {}).get("S3Key") or {}).get("Rules", [])
    by_name = {str(rule["Name"]).lower(): str(rule["Value"]) for rule in rules}
    return S3Subscription(
        function=function,
        bucket=str(props["Bucket"]),
        events=[events] if isinstance(events, str) else list(events),
        prefix=by_name.get("prefix", ""),
        suffix=by_name.get("suffix", ""),
    )


def _schedule(function: str, event_name: str, kind: str, props: dict[str, Any]) -> Schedule:
    enabled = props.get("Enabled", True)
    if "State" in props:
        enabled = props["State"] == "ENABLED"
    return Schedule(
        function=function,
        event_name=event_name,
        kind=kind,
        expression=str(props["Schedule"] if "Schedule" in props else props["ScheduleExpression"]),
        rule_name=str(props.get("Name") or f"{function}{event_name}"),
        input=props.get("Input"),
        enabled=bool(enabled),
    )


def _forget_aws_clients() -> None:
    """Powertools keeps its parameter providers (boto3 clients) process-wide; a previous
    stack's are bound to that stack's moto port, so a new stack starts without them."""
    from aws_lambda_powertools.utilities import parameters
    from aws_lambda_powertools.utilities.parameters import base

    base.DEFAULT_PROVIDERS.clear()
    parameters.clear_caches()
