"""Runs the template's functions in this process, one invocation at a time.

Each `AWS::Serverless::Function` becomes a `LocalFunction`: its handler (`module.attr`, relative
to `CodeUri` as in SAM) is imported with importlib and called with the event and a fake Lambda
context whose remaining time honours the function's `Timeout`.

One process stands in for many Lambda containers, so two things are emulated per function:
- Environment: the function's resolved variables (Globals + its own), the AWS endpoint of moto,
  fake credentials, `SALESBRIDGE_STAGE=local` and `SALESBRIDGE_CA_BUNDLE` are applied to
  `os.environ` for the duration of the call and the previous environment is put back after.
- Module state: the project's packages (the handler's top package and `shared`) are imported
  separately for every function, as in separate containers, so a `functools.cache` or a module
  global built from one function's environment never leaks into another. The function's modules
  are swapped into `sys.modules` while it runs.
Both require invocations to be serialized: a single lock covers every invocation (API calls,
queue batches, S3 and schedule events). That is fine locally and makes tests deterministic.
A handler that outlives its `Timeout` is not interrupted (threads cannot be killed); the
overrun is logged.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from devstack.template import REGION

log = logging.getLogger("devstack.lambdas")

INVOCATION_LOCK = threading.RLock()
ALWAYS_ISOLATED = ("shared",)
_running: list[str] = []  # the function invoked now, if any (invocations are serialized)


def invocation_running() -> bool:
    """Whether a function is running now: a sandbox request made meanwhile is its doing."""
    return bool(_running)


class LambdaContext:
    """The attributes and method of the context object that the Python runtime passes."""

    def __init__(self, function: LocalFunction) -> None:
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function.arn
        self.memory_limit_in_mb = function.memory_size
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function.name}"
        stamp = time.strftime("%Y/%m/%d")
        self.log_stream_name = f"{stamp}/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + function.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class LocalFunction:
    logical_id: str
    name: str
    arn: str
    handler: str
    code_dir: Path
    timeout: int = 3
    memory_size: int = 128
    environment: dict[str, str] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra_paths: list[Path] = field(default_factory=list)
    _modules: dict[str, ModuleType] = field(default_factory=dict, repr=False)
    _entry: Callable[..., Any] | None = field(default=None, repr=False)

    @property
    def module_name(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    @property
    def isolated_prefixes(self) -> tuple[str, ...]:
        return (self.module_name.split(".", 1)[0], *ALWAYS_ISOLATED)

    def invoke(self, event: Any, base_environment: dict[str, str]) -> Any:
        """Call the handler as Lambda would; exceptions propagate to the caller."""
        with INVOCATION_LOCK, self._environment(base_environment), self._own_modules():
            entry = self._load()
            context = LambdaContext(self)
            started = time.monotonic()
            _running.append(self.logical_id)
            try:
                return entry(event, context)
            finally:
                _running.pop()
                elapsed = time.monotonic() - started
                if elapsed > self.timeout:
                    log.warning(
                        "%s ran %.1fs, over its %ss timeout", self.name, elapsed, self.timeout
                    )

    def module(self, base_environment: dict[str, str]) -> ModuleType:
        """The handler's module as this function sees it (its own copy; tests inspect it)."""
        with INVOCATION_LOCK, self._environment(base_environment), self._own_modules():
            self._load()
            return sys.modules[self.module_name]

    # -- internals ---------------------------------------------------------------------------

    def _load(self) -> Callable[..., Any]:
        if self._entry is None:
            for path in [self.code_dir, *self.extra_paths]:
                if str(path) not in sys.path:
                    # appended, not prepended: in one process a layer's `http.py` must not
                    # shadow the standard library for everyone else
                    sys.path.append(str(path))
            module = importlib.import_module(self.module_name)
            self._entry = getattr(module, self.handler.rsplit(".", 1)[1])
        return self._entry

    def _is_isolated(self, module_name: str) -> bool:
        return any(
            module_name == prefix or module_name.startswith(prefix + ".")
            for prefix in self.isolated_prefixes
        )

    @contextlib.contextmanager
    def _own_modules(self) -> Iterator[None]:
        """Swap this function's copies of the project's modules into sys.modules."""
        others = {name: mod for name, mod in list(sys.modules.items()) if self._is_isolated(name)}
        for name in others:
            del sys.modules[name]
        sys.modules.update(self._modules)
        importlib.invalidate_caches()
        try:
            yield
        finally:
            mine = {name: mod for name, mod in list(sys.modules.items()) if self._is_isolated(name)}
            self._modules = mine
            for name in mine:
                del sys.modules[name]
            sys.modules.update(others)

    @contextlib.contextmanager
    def _environment(self, base: dict[str, str]) -> Iterator[None]:
        applied = {**self.environment, **base, **self._runtime_variables()}
        saved = {name: os.environ.get(name) for name in applied}
        os.environ.update(applied)
        try:
            yield
        finally:
            for name, value in saved.items():  # put back only what we changed
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def _runtime_variables(self) -> dict[str, str]:
        """What the Lambda runtime itself sets, so libraries (Powertools) see a Lambda."""
        return {
            "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{self.name}",
            "AWS_REGION": REGION,
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
            "LAMBDA_TASK_ROOT": str(self.code_dir),
            "_HANDLER": self.handler,
        }
