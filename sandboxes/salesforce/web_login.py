"""People signing in to an app with Salesforce: the OAuth 2.0 web server flow with PKCE.

    GET|POST /services/oauth2/authorize   response_type=code, client_id, redirect_uri,
                                          code_challenge, state, scope -> 302 with code and state
    POST /services/oauth2/token           grant_type=authorization_code (code, redirect_uri,
                                          client_id, client_secret, code_verifier) and
                                          grant_type=refresh_token

Apps are External Client Apps with the OAuth plugin, registered through the admin API
(`POST /__admin/oauth/apps`); their settings mirror ExtlClntAppGlobalOauthSettings:
callback URLs (`callbackUrl`), `isPkceRequired` (default true), `isConsumerSecretOptional`
(default false) and the scopes (`commaSeparatedOauthScopes`).

There is no password to check locally. Who is "logged in" is the admin config
`web_login_user` (a username): the authorize endpoint then approves at once, which keeps browser
tests to one redirect. Without it, the endpoint shows a one-field form (username) that posts
back to itself, so a person trying the demo can choose a user.

As documented (Salesforce Help: "OAuth 2.0 Web Server Flow for Web App Integration", "Proof
Key for Code Exchange (PKCE) Extension", "OAuth 2.0 Authorization Errors"):
- The authorization code is single use and "expires after 15 minutes".
- code_challenge is the Base64url SHA-256 of the verifier (only S256 is documented, so
  `code_challenge_method` is not read: a plain challenge simply never matches).
- A challenge given on authorize with no verifier on the token request is invalid_grant.
- An unknown client_id or a redirect_uri that is missing or not registered is shown to the
  user (400 page), never redirected; other errors go back to redirect_uri as `error`,
  `error_description` and `state`.
- The token answer is {access_token, refresh_token (when the grant has the refresh_token
  scope), signature, scope, instance_url, id, token_type, issued_at}; signature is the Base64
  HMAC-SHA256 of id + issued_at keyed with the consumer secret.

Where the documentation is silent (choices made here):
- A verifier that does not match is invalid_grant "invalid code verifier" (what Salesforce
  answers in practice; one help page says invalid_request).
- Refresh tokens do not rotate and last until reset; a refresh answer carries no new one.
- Registered apps survive a reset (like the org's connected app); codes, refresh tokens and
  the logged-in user do not.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from sandboxes.salesforce.auth import OAuthError, User, basic_credentials

AUTHORIZATION_CODE_GRANT = "authorization_code"
REFRESH_TOKEN_GRANT = "refresh_token"
CODE_SECONDS = 15 * 60
# OAuth token names of the scopes an External Client App can hold.
KNOWN_SCOPES = frozenset(
    {"api", "web", "full", "id", "openid", "profile", "email", "address", "phone",
     "refresh_token", "offline_access", "chatter_api", "visualforce", "custom_permissions"}
)  # fmt: skip
REFRESH_SCOPES = frozenset({"refresh_token", "offline_access"})


@dataclass
class WebApp:
    """An External Client App with the OAuth plugin (and, optionally, the Canvas plugin)."""

    name: str
    label: str
    consumer_key: str
    consumer_secret: str
    callback_urls: tuple[str, ...]
    scopes: frozenset[str]
    pkce_required: bool = True
    consumer_secret_optional: bool = False
    canvas_url: str | None = None
    application_id: str = ""

    def describe(self, base_url: str) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "consumer_key": self.consumer_key,
            "consumer_secret": self.consumer_secret,
            "callback_urls": list(self.callback_urls),
            "scopes": sorted(self.scopes),
            "pkce_required": self.pkce_required,
            "consumer_secret_optional": self.consumer_secret_optional,
            "canvas_url": self.canvas_url,
            "authorize_url": f"{base_url}/services/oauth2/authorize",
            "token_url": f"{base_url}/services/oauth2/token",
        }


@dataclass(frozen=True)
class _Grant:
    consumer_key: str
    user: User
    redirect_uri: str
    code_challenge: str | None
    scopes: frozenset[str]
    expires_at: float


@dataclass(frozen=True)
class Redirect:
    location: str


@dataclass(frozen=True)
class Page:
    status: int
    html: str


# What the token endpoint does once a grant is proven: (user, app, scopes, refresh token?).
Issue = Callable[[User, WebApp, frozenset[str], str | None, str], dict[str, Any]]


@dataclass
class WebLogin:
    clock: Callable[[], float]
    find_user: Callable[[str], User | None]
    issue: Issue
    new_application_id: Callable[[], str]
    apps: dict[str, WebApp] = field(default_factory=dict)  # by consumer key
    logged_in_username: str | None = None
    _codes: dict[str, _Grant] = field(default_factory=dict)
    _refresh_tokens: dict[str, _Grant] = field(default_factory=dict)

    def reset(self) -> None:
        self._codes.clear()
        self._refresh_tokens.clear()
        self.logged_in_username = None

    # -- registration (admin API) ---------------------------------------------------------------

    def register(self, options: dict[str, Any]) -> WebApp:
        """Create or update the app `name`; an update keeps its consumer key and secret."""
        name = str(options.get("name") or "")
        if not name.replace("_", "").isalnum():
            raise ValueError("name: an API name (letters, digits, underscores) is required")
        callbacks = tuple(str(url) for url in options.get("callback_urls", []))
        for url in callbacks:
            parts = urlsplit(url)
            if parts.scheme not in ("https", "http") or not parts.netloc or parts.fragment:
                raise ValueError(f"callback_urls: {url!r} is not an absolute URL without fragment")
        scopes = frozenset(str(s) for s in options.get("scopes", ["api", "id", "refresh_token"]))
        if unknown := scopes - KNOWN_SCOPES:
            raise ValueError(f"scopes: unknown {sorted(unknown)}")
        existing = self.app_named(name)
        app = WebApp(
            name=name,
            label=str(options.get("label") or name.replace("_", " ")),
            consumer_key=existing.consumer_key if existing else _consumer_key(),
            consumer_secret=existing.consumer_secret if existing else secrets.token_hex(32).upper(),
            callback_urls=callbacks,
            scopes=scopes,
            pkce_required=bool(options.get("pkce_required", True)),
            consumer_secret_optional=bool(options.get("consumer_secret_optional", False)),
            canvas_url=options.get("canvas_url"),
            application_id=existing.application_id if existing else self.new_application_id(),
        )
        self.apps[app.consumer_key] = app
        return app

    def app_named(self, name: str) -> WebApp | None:
        return next((app for app in self.apps.values() if app.name == name), None)

    # -- /services/oauth2/authorize -------------------------------------------------------------

    def authorize(self, params: dict[str, str], action_url: str) -> Redirect | Page:
        app = self.apps.get(params.get("client_id", ""))
        if app is None:
            return _error_page("invalid_client_id", "client identifier invalid")
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri:
            return _error_page("redirect_uri_missing", "redirect_uri must be provided")
        if redirect_uri not in app.callback_urls:
            return _error_page("redirect_uri_mismatch", "redirect_uri must match configuration")
        state = params.get("state")

        def refuse(error: str, description: str) -> Redirect:
            return Redirect(_with_query(redirect_uri, error, description, state))

        if params.get("response_type") != "code":
            return refuse("unsupported_response_type", "response type not supported")
        scopes = frozenset(params.get("scope", "").split()) or app.scopes
        if not scopes <= app.scopes:
            return refuse("invalid_scope", "the requested scope is not allowed")
        challenge = params.get("code_challenge") or None
        if challenge is None and app.pkce_required:
            return refuse("invalid_request", "missing required code challenge")
        username = params.get("username") or self.logged_in_username
        if not username:
            return _login_form(action_url, params, None)
        user = self.find_user(username)
        if user is None:
            if params.get("username"):
                return _login_form(action_url, params, "Please check your username.")
            return refuse("access_denied", "end-user denied authorization")
        if not user.active:
            return refuse("inactive_user", "user is inactive")
        code = secrets.token_urlsafe(48)
        self._codes[code] = _Grant(
            app.consumer_key, user, redirect_uri, challenge, scopes, self.clock() + CODE_SECONDS
        )
        query = {"code": code, **({"state": state} if state is not None else {})}
        return Redirect(_append_query(redirect_uri, query))

    # -- /services/oauth2/token -------------------------------------------------------------------

    def token(self, form: dict[str, str], authorization: str | None, base_url: str) -> Any:
        client_id, secret = basic_credentials(authorization) or (
            form.get("client_id", ""),
            form.get("client_secret", ""),
        )
        app = self.apps.get(client_id)
        if app is None:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        if secret and not hmac.compare_digest(secret.encode(), app.consumer_secret.encode()):
            raise OAuthError("invalid_client", "invalid client credentials")
        if form.get("grant_type") == REFRESH_TOKEN_GRANT:
            if not secret:  # isSecretRequiredForRefreshToken defaults to true
                raise OAuthError("invalid_client", "invalid client credentials")
            return self._refresh(app, form.get("refresh_token", ""), base_url)
        if not secret and not app.consumer_secret_optional:
            raise OAuthError("invalid_client", "invalid client credentials")
        grant = self._codes.pop(form.get("code", ""), None)  # single use, even when refused
        if grant is None or grant.consumer_key != app.consumer_key:
            raise OAuthError("invalid_grant", "invalid authorization code")
        if grant.expires_at <= self.clock():
            raise OAuthError("invalid_grant", "expired authorization code")
        if form.get("redirect_uri", "") != grant.redirect_uri:
            raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
        if grant.code_challenge is not None:
            verifier = form.get("code_verifier", "")
            if not hmac.compare_digest(_s256(verifier), grant.code_challenge.encode()):
                raise OAuthError("invalid_grant", "invalid code verifier")
        refresh_token = None
        if grant.scopes & REFRESH_SCOPES:
            refresh_token = f"5Aep{secrets.token_urlsafe(64)}"
            self._refresh_tokens[refresh_token] = grant
        return self.issue(grant.user, app, grant.scopes, refresh_token, base_url)

    def _refresh(self, app: WebApp, refresh_token: str, base_url: str) -> Any:
        grant = self._refresh_tokens.get(refresh_token)
        if grant is None or grant.consumer_key != app.consumer_key:
            raise OAuthError("invalid_grant", "expired access/refresh token")
        user = self.find_user(grant.user.username)
        if user is None or not user.active:
            raise OAuthError("invalid_grant", "inactive user")
        return self.issue(user, app, grant.scopes, None, base_url)


def _s256(verifier: str) -> bytes:
    digest = hashlib.sha256(verifier.encode("utf-8", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=")


def _consumer_key() -> str:
    return "3MVG9" + secrets.token_urlsafe(60).replace("-", "A").replace("_", "B")[:80]


def _append_query(url: str, query: dict[str, str]) -> str:
    separator = "&" if urlsplit(url).query else "?"
    return url + separator + urlencode(query)


def _with_query(url: str, error: str, description: str, state: str | None) -> str:
    query = {"error": error, "error_description": description}
    if state is not None:
        query["state"] = state
    return _append_query(url, query)


def _error_page(error: str, description: str) -> Page:
    return Page(
        400,
        _page(
            "Error",
            f"<h1>Remote Access Error</h1><p id=error>error={html.escape(error)}</p>"
            f"<p id=error_description>{html.escape(description)}</p>",
        ),
    )


def _login_form(action_url: str, params: dict[str, str], problem: str | None) -> Page:
    hidden = "".join(
        f'<input type=hidden name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
        if k != "username"
    )
    alert = f"<p role=alert id=login-error>{html.escape(problem)}</p>" if problem else ""
    body = (
        "<h1>Log in to the local Salesforce org</h1>"
        f'{alert}<form method=post action="{html.escape(action_url)}">{hidden}'
        "<label for=username>Username</label> "
        "<input id=username name=username type=email autocomplete=username required> "
        "<button type=submit>Log In</button></form>"
    )
    return Page(200, _page("Login | Salesforce", body))


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title></head>"
        f"<body><main>{body}</main></body></html>"
    )


def scopes_text(scopes: Iterable[str]) -> str:
    return " ".join(sorted(scopes))
