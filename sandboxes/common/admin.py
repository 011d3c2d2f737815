"""A client for the admin API, for tests, benchmarks, the local stack and `make demo`."""

from __future__ import annotations

import ssl
from typing import Any

import httpx


class SandboxAdmin:
    def __init__(self, base_url: str, ca_bundle: str) -> None:
        self._http = httpx.Client(
            base_url=f"{base_url}/__admin",
            verify=ssl.create_default_context(cafile=ca_bundle),
            timeout=30,
        )

    def reset(self) -> None:
        self._http.post("/reset").raise_for_status()

    def seed(self, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", "/seed", data)

    def state(self) -> dict[str, Any]:
        return self._call("GET", "/state")

    def configure(self, **options: Any) -> dict[str, Any]:
        return self._call("POST", "/config", options)

    def set_clock(self, **options: Any) -> dict[str, Any]:
        """`now=` an ISO instant (None: real time again) and/or `advance_seconds=`."""
        return self._call("POST", "/clock", options)

    def requests(self) -> dict[str, Any]:
        return self._call("GET", "/requests")

    def count(self, key: str | None = None) -> int:
        """Requests served in all, or for one `METHOD endpoint` key."""
        summary = self.requests()
        return int(summary["total"] if key is None else summary["by_endpoint"].get(key, 0))

    def clear_requests(self) -> None:
        self._http.delete("/requests").raise_for_status()

    def inject_fault(self, endpoint: str, **fault: Any) -> int:
        return int(self._call("POST", "/faults", {"endpoint": endpoint, **fault})["id"])

    def clear_faults(self) -> None:
        self._http.delete("/faults").raise_for_status()

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self._http.request(method, path, json=body)
        response.raise_for_status()
        return response.json()
