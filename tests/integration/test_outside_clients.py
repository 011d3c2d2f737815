"""Our client factories against the sandboxes over real TLS: auth, refresh, retries, TLS."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from sandboxes.common import LocalCA, SandboxAdmin, SandboxServer
from shared.adapters.salesforce.connection import connection_from_secret
from shared.errors import ConfigurationError
from shared.http import RetryPolicy, idempotent, make_client


def token_requests(admin: SandboxAdmin) -> int:
    counts = admin.requests()["by_endpoint"]
    return sum(n for key, n in counts.items() if "token" in key)


def test_jwt_bearer_connects_and_refreshes_once_after_expiry(
    salesforce: SandboxServer, ca: LocalCA
) -> None:
    admin = SandboxAdmin(salesforce.base_url, str(ca.bundle_path))
    admin.clear_requests()
    secret = salesforce.app.connection(salesforce.base_url)
    connection = connection_from_secret(secret, str(ca.bundle_path))

    def users(sf: object) -> int:
        return int(sf.query("SELECT Id FROM User")["totalSize"])  # type: ignore[attr-defined]

    assert connection.call(users) >= 1
    assert connection.call(users) >= 1
    assert token_requests(admin) == 1  # cached between calls

    admin.configure(expire_sessions=True)
    assert connection.call(users) >= 1  # 401 INVALID_SESSION_ID -> one refresh -> retried
    assert token_requests(admin) == 2


def test_client_credentials_connects(salesforce: SandboxServer, ca: LocalCA) -> None:
    secret = {**salesforce.app.connection(salesforce.base_url), "auth": "client_credentials"}
    connection = connection_from_secret(secret, str(ca.bundle_path))
    assert connection.call(lambda sf: sf.query("SELECT Id FROM Account LIMIT 1"))["done"]


def test_a_refused_login_is_a_configuration_error(salesforce: SandboxServer, ca: LocalCA) -> None:
    secret = {**salesforce.app.connection(salesforce.base_url), "consumer_key": "not-the-app"}
    connection = connection_from_secret(secret, str(ca.bundle_path))
    with pytest.raises(ConfigurationError, match="refused the OAuth login"):
        connection.client()


def test_tls_is_verified_against_the_local_ca_only_when_given(salesforce: SandboxServer) -> None:
    secret = salesforce.app.connection(salesforce.base_url)
    with pytest.raises(ConfigurationError, match="TLS verification"):
        connection_from_secret(secret, ca_bundle=None).client()


GATEWAY = "/ia/xml/xmlgw.phtml"


def test_http_clients_retry_transient_faults_then_reach_the_system(
    intacct: SandboxServer, ca: LocalCA, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESBRIDGE_CA_BUNDLE", str(ca.bundle_path))
    admin = SandboxAdmin(intacct.base_url, str(ca.bundle_path))
    admin.clear_requests()
    admin.inject_fault("*", status=503, body={"error": "maintenance"}, times=2)
    slept: list[float] = []
    with make_client(intacct.base_url, policy=RetryPolicy(attempts=4), sleep=slept.append) as http:
        answer = http.post(GATEWAY, content=b"<request/>", extensions=idempotent())
    assert answer.status_code == 200 and b"<response>" in answer.content  # the real gateway
    assert admin.count() == 3 and len(slept) == 2


def test_a_post_not_marked_idempotent_is_sent_once(
    intacct: SandboxServer, ca: LocalCA, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESBRIDGE_CA_BUNDLE", str(ca.bundle_path))
    admin = SandboxAdmin(intacct.base_url, str(ca.bundle_path))
    admin.clear_requests()
    admin.inject_fault("*", status=503, body={}, times=1)
    with make_client(intacct.base_url, sleep=lambda _: None) as http:
        assert http.post(GATEWAY, content=b"<request/>").status_code == 503
    assert admin.count() == 1
    admin.clear_faults()


def test_http_clients_honour_retry_after_from_the_system(
    intacct: SandboxServer, ca: LocalCA, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESBRIDGE_CA_BUNDLE", str(ca.bundle_path))
    admin = SandboxAdmin(intacct.base_url, str(ca.bundle_path))
    admin.inject_fault("*", status=429, headers={"Retry-After": "2"}, body={}, times=1)
    slept: list[float] = []
    with make_client(intacct.base_url, sleep=slept.append) as http:
        http.post(GATEWAY, content=b"<request/>", extensions=idempotent())
    assert slept == [2.0]


def test_http_clients_refuse_an_unknown_ca(
    intacct: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SALESBRIDGE_CA_BUNDLE", raising=False)
    with (
        make_client(intacct.base_url, policy=RetryPolicy(attempts=1)) as http,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        http.post(GATEWAY, content=b"<request/>")


def test_the_ca_bundle_is_a_file(ca: LocalCA) -> None:
    assert Path(ca.bundle_path).read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_a_ca_bundle_that_does_not_match_is_reported_as_local_configuration(
    salesforce: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a second local stack did to the first one's CA: the error names our trust
    setting, not Salesforce (issue 7, defect 9)."""
    another = LocalCA(tmp_path / "another-stack")
    monkeypatch.setenv("SALESBRIDGE_CA_BUNDLE", str(another.bundle_path))
    secret = salesforce.app.connection(salesforce.base_url)
    with pytest.raises(ConfigurationError) as caught:
        connection_from_secret(secret, str(another.bundle_path)).client()

    message = str(caught.value)
    assert message.startswith(f"TLS verification failed calling {salesforce.base_url}")
    assert f"the CA bundle {another.bundle_path} (SALESBRIDGE_CA_BUNDLE) does not match" in message
