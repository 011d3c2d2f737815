"""The local Salesforce org over HTTPS: OAuth, the REST API core, files and API limits.

    POST /services/oauth2/token                         JWT bearer, client credentials,
                                                        authorization code (+PKCE), refresh token
    GET|POST /services/oauth2/authorize                 web server flow (see web_login.py)
    GET  /id/<org>/<user>                               the identity URL (who signed in)
    GET  /services/data/                                the API versions (20.0 .. 64.0)
    GET  /services/data/vXX.X/                          resources
    GET  .../limits                                     DailyApiRequests Max/Remaining
    GET  .../sobjects                                   describeGlobal
    GET|POST .../sobjects/<type>                        basic info | create (201)
    GET  .../sobjects/<type>/describe                   fields, picklists, child relationships
    GET|PATCH|DELETE .../sobjects/<type>/<id>           read (?fields=) | update 204 | delete 204
    POST .../sobjects/<type>/Id                         create (37.0+: upsert on a null Id)
    GET|PATCH|DELETE .../sobjects/<type>/<field>/<value>  by external id: read | upsert | delete
    GET  .../sobjects/ContentVersion/<id>/VersionData   the file's bytes
    GET  .../query?q= , .../queryAll?q= , .../query/<locator>   SOQL with 2,000-row pages

Routed to sandboxes.salesforce.composite (imported when first used; it authenticates and
counts itself, this module only adds Sforce-Limit-Info):
    POST .../composite                        handle_composite(app, request, version)
    POST .../composite/graph                  handle_graph(app, request, version)
    GET|POST|PATCH|DELETE .../composite/sobjects   handle_collections(app, request, version)
    GET|POST .../composite/sobjects/<type>    handle_collections_retrieve(app, request,
                                              version, sobject)   (?ids=&fields= or a body)
    GET|PATCH .../composite/sobjects/<type>/<field>  handle_collections_by_field(app, request,
                                              version, sobject, field)   (upsert)

Every API response carries `Sforce-Limit-Info: api-usage=N/MAX`; over the daily allocation
(admin config `daily_api_limit`) calls answer 403 REQUEST_LIMIT_EXCEEDED. Errors are JSON
lists of {message, errorCode, fields}.

The interface the composite module uses:
- `app.org` is the `Org` (store.py). `with app.org.transaction() as tx:` undoes every write in
  the block when it raises or when `tx.rollback()` is called; transactions nest (savepoints).
- `app.subrequest(method, url, body, *, session) -> (status, headers, body)` runs a REST call
  given a relative URL ("/services/data/v59.0/sobjects/Account/001...") through the same
  handlers and validation, without counting an API call and without fault injection; the
  body comes back decoded from JSON (None for 204, bytes for a file download).
- `app.authenticate(request) -> Session` raises SalesforceApiError 401 INVALID_SESSION_ID.
- `app.count_api_call(session)` counts one request toward the daily allocation and raises
  403 REQUEST_LIMIT_EXCEEDED when over it, so a composite call counts exactly once.
- `app.lock` (an RLock, also the store's lock) serialises writers.

Admin API extras: seed {users, accounts, products, pricebooks, records,
permission_set_assignments} (see `seed`), state, config {daily_api_limit, session_seconds,
api_usage, reset_api_usage, expire_sessions, max_json_request_bytes, integration_username,
web_login_user, organization_name}, reset (keeps the standard price book, the integration
user, the package's permission sets and registered apps), and:
    POST /__admin/oauth/apps               register (or update) an External Client App:
                                           {name, callback_urls, scopes?, pkce_required?,
                                           consumer_secret_optional?, canvas_url?, label?}
    GET  /__admin/oauth/apps               the registered apps with their keys
    POST /__admin/canvas/signed-request    {app, user, record?, parameters?, display_location?}
                                           -> {signed_request, canvas_url, payload}

Where the documentation is silent (choices made here):
- The daily allocation is a plain counter (no rolling 24 h window); admin config resets it.
  Calls refused for the limit, and calls failing authentication, are not counted.
- A GET/PATCH/DELETE on /sobjects/<type>/<x> where x is not an id of <type> answers 404
  NOT_FOUND "Provided external ID field does not exist or is not accessible: x", which is how
  Salesforce reads a single unknown path segment; an id of <type> with no record answers 404
  "The requested resource does not exist"; a deleted one 404 ENTITY_IS_DELETED.
- An upsert naming a field that is not an external id answers 404 NOT_FOUND "Provided
  external ID field does not exist or is not accessible: <field>" (the guide's example shows
  the generic "The requested resource does not exist"; status and errorCode agree).
- Query cursors live until their last page is read or the org is reset; an unknown locator
  is 400 INVALID_QUERY_LOCATOR. `Sforce-Query-Options: batchSize` is clamped to 200..2000.
- The non-multipart size limit answers 400 JSON_PARSER_ERROR "Maximum size of request
  reached. Maximum size of request is 52428800 bytes." (as reported by simple-salesforce
  users); multipart uploads are not limited.
- Documented refusals, as documented: an `Id` (any case) in a create body, also through
  POST .../sobjects/<type>/Id, is 400 INVALID_FIELD "The Id field should not be specified in
  the sobject data." (dome_sobject_create). POST .../sobjects/<type>/Id answers as the upsert
  it is (dome_upsert, resources_sobject_upsert_post): 201 with `created: true` from 46.0.
- An upsert (PATCH .../<field>/<value>) whose body holds Id or the URL's external id field
  "generates an error" (resources_sobject_upsert_patch) that the guide does not show: here
  400 INVALID_FIELD, worded like the create's ("The <field> field should not be specified in
  the sobject data."), naming the field.
- Error bodies always carry `fields` (an empty list when no field is to blame); the guide's
  examples sometimes leave it out.
- Describe answers every key the SOAP API Developer Guide documents for DescribeSObjectResult,
  DescribeGlobalSObjectResult, Field, PicklistEntry and ChildRelationship. What this org does
  not model reads false, null or [] : no custom settings (`customSetting` false), no dependent
  picklists (`validFor` null, `controllerName` null), no formulas, no record types, no
  layouts or action overrides; `supportedScopes` is only "everything"; `mergeable` is true
  for Account, Contact, Lead and Case; `groupable` is false for the types SOQL cannot group.
  Field labels are the metadata's (standard fields: Salesforce's own labels where the project
  knows them, e.g. StageName "Stage", else the API name split into words); picklist entry
  labels are the metadata's `<label>`. An `Id` field's label is "Id" (Salesforce shows
  "<Object> ID").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from sandboxes.common.app import SandboxApp, json_response
from sandboxes.salesforce import canvas, ids
from sandboxes.salesforce.auth import (
    Authenticator,
    ConnectedApp,
    OAuthError,
    Session,
    User,
)
from sandboxes.salesforce.errors import SalesforceApiError
from sandboxes.salesforce.schema import FieldDef, Schema, SObjectDef
from sandboxes.salesforce.store import (
    DEFAULT_API_VERSION,
    VERSION_DATA_PATH,
    MultipleMatches,
    Org,
    Record,
)
from sandboxes.salesforce.web_login import (
    AUTHORIZATION_CODE_GRANT,
    REFRESH_TOKEN_GRANT,
    Page,
    WebApp,
    WebLogin,
    scopes_text,
)

MIN_VERSION, MAX_VERSION = 20, 64
DEFAULT_DAILY_API_LIMIT = 100_000
MAX_JSON_REQUEST_BYTES = 52_428_800
DEFAULT_BATCH_SIZE, MIN_BATCH_SIZE = 2000, 200
INTEGRATION_USERNAME = "integration@harbourpine.example"
INTEGRATION_PERMISSION_SET = "Salesbridge_Integration"
ORGANIZATION_NAME = "Harbour & Pine Outfitters"
_SUBREQUEST_SESSION = "salesforce.subrequest_session"
_DATA = "/services/data/v<version>"
_ID_IN_BODY = "The Id field should not be specified in the sobject data."  # dome_sobject_create


def _api_rule(path: str, endpoint: str, methods: list[str]) -> Rule:
    return Rule(_DATA + path, endpoint=endpoint, methods=methods, strict_slashes=False)


@dataclass
class _Cursor:
    records: list[Record]
    total_size: int
    batch_size: int


class SalesforceSandbox(SandboxApp):
    name = "salesforce"
    rules: ClassVar[list[Rule]] = [
        Rule("/services/oauth2/token", endpoint="oauth_token", methods=["POST"]),
        Rule("/services/oauth2/revoke", endpoint="oauth_revoke", methods=["POST"]),
        Rule("/services/oauth2/authorize", endpoint="oauth_authorize", methods=["GET", "POST"]),
        Rule("/id/<org_id>/<user_id>", endpoint="identity", methods=["GET"]),
        Rule("/services/data/", endpoint="versions", methods=["GET"], strict_slashes=False),
        _api_rule("/", "resources", ["GET"]),
        _api_rule("/limits/", "limits", ["GET"]),
        _api_rule("/sobjects/", "describe_global", ["GET"]),
        _api_rule("/sobjects/<sobject>/", "sobject_root", ["GET", "POST"]),
        _api_rule("/sobjects/<sobject>/describe/", "describe", ["GET"]),
        _api_rule("/sobjects/<sobject>/<record_id>", "record", ["GET", "PATCH", "DELETE", "POST"]),
        _api_rule(
            "/sobjects/<sobject>/<field>/<path:value>",
            "by_external_id",
            ["GET", "PATCH", "DELETE"],
        ),
        _api_rule("/query/", "query", ["GET"]),
        _api_rule("/queryAll/", "query_all", ["GET"]),
        _api_rule("/query/<locator>", "query_more", ["GET"]),
        _api_rule("/queryAll/<locator>", "query_more", ["GET"]),
        _api_rule("/composite/", "composite", ["POST"]),
        _api_rule("/composite/graph/", "composite_graph", ["POST"]),
        _api_rule(
            "/composite/sobjects/", "composite_collections", ["GET", "POST", "PATCH", "DELETE"]
        ),
        _api_rule(
            "/composite/sobjects/<sobject>/", "composite_collections_retrieve", ["GET", "POST"]
        ),
        _api_rule(
            "/composite/sobjects/<sobject>/<field>/",
            "composite_collections_by_field",
            ["GET", "PATCH"],
        ),
    ]

    def __init__(
        self, schema: Schema | None = None, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.schema = schema or _default_schema()
        self.connected_app = ConnectedApp()
        self.org_id = ids.to_18("00D5g000004SBlD")
        self.daily_api_limit = DEFAULT_DAILY_API_LIMIT
        self.api_usage = 0
        self.max_json_request_bytes = MAX_JSON_REQUEST_BYTES
        self.integration_username = INTEGRATION_USERNAME
        self._cursor_ids = ids.IdFactory()
        self._cursors: dict[str, _Cursor] = {}
        self.org: Org | None = None  # made by reset(), which the base calls
        self.auth = Authenticator(
            self.connected_app,
            self.org_id,
            self._find_user,
            lambda: self.integration_username,
            clock=lambda: self.clock.timestamp(),
        )
        self.organization_name = ORGANIZATION_NAME
        self._admin_base_url = ""
        self._app_ids = ids.IdFactory()
        self.web_login = WebLogin(
            clock=lambda: self.clock.timestamp(),
            find_user=self._find_user,
            issue=self._issue_for_web_app,
            new_application_id=lambda: self._app_ids.new("0H4"),
        )
        super().__init__(clock)

    # -- what the admin API drives -----------------------------------------------------------

    def reset(self) -> None:
        if self.org is None:
            self.org = Org(self.schema, lock=self.lock, clock=self.clock)
        self.org.reset()
        self.auth.reset()
        if hasattr(self, "web_login"):
            self.web_login.reset()
        self._cursors.clear()
        self.api_usage = 0
        self._ensure_integration_user()
        self._ensure_permission_sets()
        self._ensure_integration_permissions()

    def configure(self, options: dict[str, Any]) -> dict[str, Any]:
        if "daily_api_limit" in options:
            self.daily_api_limit = int(options["daily_api_limit"])
        if "session_seconds" in options:
            self.auth.session_seconds = float(options["session_seconds"])
        if "api_usage" in options:
            self.api_usage = int(options["api_usage"])
        if options.get("reset_api_usage"):
            self.api_usage = 0
        if options.get("expire_sessions"):
            self.auth.expire_all()
        if "max_json_request_bytes" in options:
            self.max_json_request_bytes = int(options["max_json_request_bytes"])
        if "integration_username" in options:
            self.integration_username = str(options["integration_username"])
            self._ensure_integration_user()
            self._ensure_integration_permissions()
        if "web_login_user" in options:
            username = options["web_login_user"]
            self.web_login.logged_in_username = None if username is None else str(username)
        if "organization_name" in options:
            self.organization_name = str(options["organization_name"])
        return {
            "daily_api_limit": self.daily_api_limit,
            "session_seconds": self.auth.session_seconds,
            "web_login_user": self.web_login.logged_in_username,
            "organization_name": self.organization_name,
            "api_usage": self.api_usage,
            "max_json_request_bytes": self.max_json_request_bytes,
            "integration_username": self.integration_username,
        }

    def seed(self, data: dict[str, Any]) -> dict[str, Any]:
        """Load records. Sections, each a list of rows (field name -> value):

        users, accounts, products (with `price`: the standard price book entry),
        pricebooks (with `entries`: [{product: <key>, price}]), records {SObject: [rows]},
        permission_set_assignments [{user: <Username>, permission_set: <Name>}].
        A row's optional `key` names it in the answer (default Username, ProductCode or
        Name); a value "@<key>" refers to the id of a row seeded earlier in the same call.
        """
        seeder = _Seeder(self.org_store)
        answer: dict[str, Any] = {"standard_pricebook_id": self.org_store.standard_pricebook_id}
        with self.org_store.transaction():
            answer["users"] = seeder.rows(
                "User", data.get("users", []), "Username", self._user_defaults
            )
            answer["accounts"] = seeder.rows("Account", data.get("accounts", []), "Name")
            answer["products"], answer["pricebook_entries"] = seeder.products(
                data.get("products", [])
            )
            answer["pricebooks"] = seeder.pricebooks(data.get("pricebooks", []))
            answer["records"] = {
                sobject: seeder.rows(sobject, rows, "Name")
                for sobject, rows in data.get("records", {}).items()
            }
            answer["permission_set_assignments"] = [
                self._assign_permission_set(str(row["user"]), str(row["permission_set"]))
                for row in data.get("permission_set_assignments", [])
            ]
        return answer

    def snapshot(self) -> dict[str, Any]:
        return {
            "api_usage": self.api_usage,
            "daily_api_limit": self.daily_api_limit,
            "records": {
                name: [_json_ready(r) for r in self.org_store.records(name, include_deleted=True)]
                for name in self.schema.objects
                if self.org_store.records(name, include_deleted=True)
            },
        }

    def connection(self, base_url: str) -> dict[str, Any]:
        return {
            "login_url": base_url,
            "instance_url": base_url,
            "token_url": f"{base_url}/services/oauth2/token",
            "consumer_key": self.connected_app.consumer_key,
            "consumer_secret": self.connected_app.consumer_secret,
            "username": self.integration_username,
            "private_key_pem": self.connected_app.private_key_pem,
            "api_version": DEFAULT_API_VERSION,
        }

    def error_body(self, status: int, message: str) -> Any:
        if status == 405:
            return [{"errorCode": "METHOD_NOT_ALLOWED", "message": "HTTP Method not allowed"}]
        return [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]

    @property
    def org_store(self) -> Org:
        assert self.org is not None
        return self.org

    # -- the interface composite.py uses ----------------------------------------------------------

    def authenticate(self, request: Request) -> Session:
        trusted = request.environ.get(_SUBREQUEST_SESSION)
        if isinstance(trusted, Session):
            return trusted
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        session = self.auth.session(token.strip()) if scheme in ("Bearer", "OAuth") else None
        if session is None:
            raise SalesforceApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
        return session

    def count_api_call(self, session: Session) -> None:
        with self.lock:
            if self.api_usage >= self.daily_api_limit:
                raise SalesforceApiError(
                    403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."
                )
            self.api_usage += 1

    def subrequest(
        self, method: str, url: str, body: Any, *, session: Session
    ) -> tuple[int, dict[str, str], Any]:
        parts = urlsplit(url)
        builder = EnvironBuilder(
            path=parts.path,
            query_string=parts.query,
            method=method.upper(),
            json=body if body is not None else None,
        )
        environ = builder.get_environ()
        environ[_SUBREQUEST_SESSION] = session
        request = Request(environ)
        adapter = self._url_map.bind_to_environ(environ)
        try:
            endpoint, args = adapter.match()
        except HTTPException as error:
            status = error.code or 404
            return status, {}, self.error_body(status, "")
        response: Response = getattr(self, str(endpoint))(request, **args)
        data = response.get_data()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        if not data:
            return response.status_code, headers, None
        if response.mimetype == "application/json":
            return response.status_code, headers, json.loads(data)
        return response.status_code, headers, data

    @property
    def limit_info(self) -> str:
        return f"api-usage={self.api_usage}/{self.daily_api_limit}"

    # -- the shared shape of every API call ---------------------------------------------------

    def _api(
        self,
        request: Request,
        version: str,
        work: Callable[[Session], Response],
        *,
        since: float = MIN_VERSION,
    ) -> Response:
        """Version check, authentication, counting, the lock and error mapping."""
        counted = _SUBREQUEST_SESSION not in request.environ
        try:
            number = _version_number(version)
            session = self.authenticate(request)
            if counted:
                self.count_api_call(session)
            if number < since:
                raise _not_found()
            with self.lock:
                response = work(session)
        except SalesforceApiError as error:
            response = json_response(error.body(), error.status)
            if error.status == 401:
                return response
        if counted:
            response.headers["Sforce-Limit-Info"] = self.limit_info
        return response

    # -- OAuth ----------------------------------------------------------------------------------

    def oauth_token(self, request: Request) -> Response:
        base_url = request.host_url.rstrip("/")
        form = dict(request.form)
        flow = self.web_login if form.get("grant_type") in _WEB_GRANTS else self.auth
        try:
            with self.lock:
                body = flow.token(form, request.headers.get("Authorization"), base_url)
        except OAuthError as error:
            return json_response(error.body, error.status)
        return json_response(body, 200)

    def oauth_revoke(self, request: Request) -> Response:
        token = request.form.get("token") or request.args.get("token", "")
        with self.lock:
            if not self.auth.revoke(token):
                return json_response(
                    {
                        "error": "unsupported_token_type",
                        "error_description": "this token type is not supported",
                    },
                    400,
                )
        return Response(b"", status=200)

    def oauth_authorize(self, request: Request) -> Response:
        params = {**request.args.to_dict(), **request.form.to_dict()}
        with self.lock:
            outcome = self.web_login.authorize(params, request.base_url)
        if isinstance(outcome, Page):
            response = Response(outcome.html, status=outcome.status, mimetype="text/html")
            response.headers["Cache-Control"] = "no-store"
            return response
        return Response(b"", status=302, headers={"Location": outcome.location})

    def identity(self, request: Request, org_id: str, user_id: str) -> Response:
        """The identity URL (Salesforce Help, "Identity URLs"): who the token belongs to.

        A token may read another user of its org (its scope includes api); an unknown user or
        another org is 404 "Bad_Id" (the wording is not documented). `version` in the query
        replaces the `{version}` placeholder of `urls`, as documented.
        """
        try:
            session = self.authenticate(request)
        except SalesforceApiError:
            return Response(b"Bad_OAuth_Token", status=403)
        with self.lock:
            row = self.org_store.get_by_id(user_id) if ids.normalize(user_id) else None
        if ids.normalize(org_id) != self.org_id or row is None or row.get("Username") is None:
            return Response(b"Bad_Id", status=404)
        base = request.host_url.rstrip("/")
        version = request.args.get("version", "{version}")
        if version == "latest":
            version = f"{MAX_VERSION}.0"
        return json_response(
            _identity(base, self.org_id, row, version, asserted=row["Id"] == session.user_id)
        )

    # -- discovery ------------------------------------------------------------------------------

    def versions(self, request: Request) -> Response:
        return json_response(
            [
                {"label": _release_label(v), "url": f"/services/data/v{v}.0", "version": f"{v}.0"}
                for v in range(MIN_VERSION, MAX_VERSION + 1)
            ]
        )

    def resources(self, request: Request, version: str) -> Response:
        names = ["sobjects", "query", "queryAll", "limits", "composite", "search", "tooling"]
        return self._api(
            request,
            version,
            lambda s: json_response({n: f"/services/data/v{version}/{n}" for n in names}),
        )

    def limits(self, request: Request, version: str) -> Response:
        def work(session: Session) -> Response:
            return json_response(
                {
                    "DailyApiRequests": {
                        "Max": self.daily_api_limit,
                        "Remaining": max(self.daily_api_limit - self.api_usage, 0),
                    },
                    "DataStorageMB": {"Max": 5, "Remaining": 5},
                    "FileStorageMB": {"Max": 20, "Remaining": 20},
                }
            )

        return self._api(request, version, work)

    def describe_global(self, request: Request, version: str) -> Response:
        def work(session: Session) -> Response:
            return json_response(
                {
                    "encoding": "UTF-8",
                    "maxBatchSize": 200,
                    "sobjects": [
                        _sobject_summary(o, version) for o in self.schema.objects.values()
                    ],
                }
            )

        return self._api(request, version, work)

    def describe(self, request: Request, version: str, sobject: str) -> Response:
        return self._api(
            request, version, lambda s: json_response(_describe(self._sobject(sobject), version))
        )

    # -- records ----------------------------------------------------------------------------------

    def sobject_root(
        self,
        request: Request,
        version: str,
        sobject: str,
        since: float = MIN_VERSION,
        upsert_on_id: bool = False,
    ) -> Response:
        def work(session: Session) -> Response:
            definition = self._sobject(sobject)
            if request.method == "GET":
                return json_response(
                    {"objectDescribe": _sobject_summary(definition, version), "recentItems": []}
                )
            values = self._record_payload(request)
            if any(name.lower() == "id" for name in values):
                # dome_sobject_create: "Example of an error when attempting to create".
                raise SalesforceApiError(400, "INVALID_FIELD", _ID_IN_BODY)
            record_id = self.org_store.create(definition.name, values, user_id=session.user_id)
            location = f"/services/data/v{version}/sobjects/{definition.name}/{record_id}"
            body: dict[str, Any] = {"id": record_id, "success": True, "errors": []}
            if upsert_on_id and _version_number(version) >= 46:
                body["created"] = True  # an upsert answer, as dome_upsert documents from 46.0
            return json_response(body, 201, {"Location": location})

        return self._api(request, version, work, since=since)

    def record(self, request: Request, version: str, sobject: str, record_id: str) -> Response:
        if request.method == "POST":
            return self._create_by_null_id(request, version, sobject, record_id)

        def work(session: Session) -> Response:
            definition = self._sobject(sobject)
            record = self._addressed_record(definition, record_id)
            if request.method == "GET":
                fields = _fields_param(request, definition)
                return json_response(_record_body(record, definition, version, fields))
            if request.method == "PATCH":
                values = self._record_payload(request)
                self.org_store.update(record["Id"], values, user_id=session.user_id)
            else:
                self.org_store.delete(record["Id"], user_id=session.user_id)
            return Response(b"", status=204)

        return self._api(request, version, work)

    def _create_by_null_id(
        self, request: Request, version: str, sobject: str, field: str
    ) -> Response:
        """POST /sobjects/<type>/Id (37.0+): an upsert on Id with a null value, so a create."""
        if field.lower() != "id":
            return json_response(self.error_body(405, ""), 405)
        return self.sobject_root(request, version, sobject, since=37, upsert_on_id=True)

    def by_external_id(
        self, request: Request, version: str, sobject: str, field: str, value: str
    ) -> Response:
        def work(session: Session) -> Response:
            definition = self._sobject(sobject)
            blob = self._blob_download(definition, field, value)
            if blob is not None:
                return blob
            if request.method == "PATCH":
                return self._upsert(request, session, version, definition, field, value)
            record = self._one_by_external_id(definition, field, value, version)
            if request.method == "GET":
                fields = _fields_param(request, definition)
                return json_response(_record_body(record, definition, version, fields))
            self.org_store.delete(record["Id"], user_id=session.user_id)
            return Response(b"", status=204)

        return self._api(request, version, work)

    def _upsert(
        self,
        request: Request,
        session: Session,
        version: str,
        definition: SObjectDef,
        field: str,
        value: str,
    ) -> Response:
        number = _version_number(version)
        update_only = number >= 61 and request.args.get("updateOnly", "").lower() == "true"
        values = self._record_payload(request)
        # resources_sobject_upsert_patch: "Do not specify Id or an external ID field in the
        # request body or an error is generated" (the error itself is not documented).
        for name in values:
            if name.lower() == "id":
                raise SalesforceApiError(400, "INVALID_FIELD", _ID_IN_BODY)
            if name.lower() == field.lower():
                raise SalesforceApiError(
                    400,
                    "INVALID_FIELD",
                    f"The {name} field should not be specified in the sobject data.",
                    [name],
                )
        try:
            record_id, created = self.org_store.upsert(
                definition.name,
                field,
                value,
                values,
                user_id=session.user_id,
                update_only=update_only,
            )
        except MultipleMatches as matches:
            return _multiple_choices(definition, matches.record_ids, version)
        body: dict[str, Any] = {"id": record_id, "success": True, "errors": []}
        if number >= 46:
            body["created"] = created
            return json_response(body, 201 if created else 200)
        return json_response(body, 201) if created else Response(b"", status=204)

    def _one_by_external_id(
        self, definition: SObjectDef, field: str, value: str, version: str
    ) -> Record:
        fdef = definition.field(field)
        if fdef is None or not (fdef.external_id or fdef.name == "Id"):
            raise SalesforceApiError(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {field}",
            )
        matches = self.org_store.find_by_field(definition.name, fdef.name, value)
        if not matches:
            raise _not_found()
        if len(matches) > 1:
            raise _MultipleChoices(
                _multiple_choices(definition, [m["Id"] for m in matches], version)
            )
        return matches[0]

    def _blob_download(self, definition: SObjectDef, record_id: str, field: str) -> Response | None:
        fdef = definition.field(field)
        if fdef is None or fdef.type != "base64" or ids.normalize(record_id) is None:
            return None
        record = self._addressed_record(definition, record_id)
        data = self.org_store.blob(record["Id"])
        if data is None:
            raise _not_found()
        return Response(data, status=200, content_type="application/octetstream")

    def _addressed_record(self, definition: SObjectDef, record_id: str) -> Record:
        """The live record a /sobjects/<type>/<id> URL names, or Salesforce's 404s."""
        canonical = ids.normalize(record_id)
        if canonical is None or canonical[:3] != definition.key_prefix:
            raise SalesforceApiError(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {record_id}",
            )
        record = self.org_store.get_by_id(canonical)
        if record is None:
            raise _not_found()
        if record.get("IsDeleted"):
            raise SalesforceApiError(404, "ENTITY_IS_DELETED", "entity is deleted")
        return record

    def _record_payload(self, request: Request) -> dict[str, Any]:
        """The record's fields from JSON, or from a multipart entity_content + binary part."""
        if request.mimetype == "multipart/form-data":
            return _multipart_record(request)
        size = request.content_length or 0
        if size > self.max_json_request_bytes:
            _discard_body(request)
            raise SalesforceApiError(
                400,
                "JSON_PARSER_ERROR",
                "Maximum size of request reached. Maximum size of request is "
                f"{self.max_json_request_bytes} bytes.",
            )
        return _json_object(request.get_data())

    def _sobject(self, name: str) -> SObjectDef:
        definition = self.schema.sobject(name)
        if definition is None:
            raise SalesforceApiError(
                404,
                "NOT_FOUND",
                "The requested resource does not exist",
            )
        return definition

    # -- SOQL -----------------------------------------------------------------------------------

    def query(self, request: Request, version: str) -> Response:
        return self._api(request, version, lambda s: self._run_query(request, version, False))

    def query_all(self, request: Request, version: str) -> Response:
        return self._api(request, version, lambda s: self._run_query(request, version, True))

    def query_more(self, request: Request, version: str, locator: str) -> Response:
        def work(session: Session) -> Response:
            cursor_id, _, offset = locator.partition("-")
            cursor = self._cursors.get(cursor_id)
            if cursor is None or not offset.isdigit():
                raise SalesforceApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
            return self._page(cursor_id, cursor, int(offset), version)

        return self._api(request, version, work)

    def _run_query(self, request: Request, version: str, include_deleted: bool) -> Response:
        soql = request.args.get("q")
        if not soql:
            raise SalesforceApiError(400, "MALFORMED_QUERY", "unexpected token: <EOF>")
        from sandboxes.salesforce import soql as soql_engine  # written alongside; loaded late

        result = soql_engine.execute(
            soql,
            self.schema,
            self.org_store,
            api_version=version,
            include_deleted=include_deleted,
            now=self.clock(),
        )
        batch = _batch_size(request.headers.get("Sforce-Query-Options", ""))
        cursor = _Cursor(list(result.records), int(result.total_size), batch)
        cursor_id = self._cursor_ids.new("01g")
        return self._page(cursor_id, cursor, 0, version)

    def _page(self, cursor_id: str, cursor: _Cursor, offset: int, version: str) -> Response:
        end = offset + cursor.batch_size
        body: dict[str, Any] = {
            "totalSize": cursor.total_size,
            "done": end >= len(cursor.records),
            "records": cursor.records[offset:end],
        }
        if body["done"]:
            self._cursors.pop(cursor_id, None)
        else:
            self._cursors[cursor_id] = cursor
            body["nextRecordsUrl"] = f"/services/data/v{version}/query/{cursor_id}-{end}"
        return json_response(body)

    # -- composite (composite.py owns the behaviour) -----------------------------------------

    def composite(self, request: Request, version: str) -> Response:
        from sandboxes.salesforce import composite

        return self._with_limit_info(composite.handle_composite(self, request, version))

    def composite_graph(self, request: Request, version: str) -> Response:
        from sandboxes.salesforce import composite

        return self._with_limit_info(composite.handle_graph(self, request, version))

    def composite_collections(self, request: Request, version: str) -> Response:
        from sandboxes.salesforce import composite

        return self._with_limit_info(composite.handle_collections(self, request, version))

    def composite_collections_retrieve(
        self, request: Request, version: str, sobject: str
    ) -> Response:
        from sandboxes.salesforce import composite

        return self._with_limit_info(
            composite.handle_collections_retrieve(self, request, version, sobject)
        )

    def composite_collections_by_field(
        self, request: Request, version: str, sobject: str, field: str
    ) -> Response:
        from sandboxes.salesforce import composite

        return self._with_limit_info(
            composite.handle_collections_by_field(self, request, version, sobject, field)
        )

    def _with_limit_info(self, response: Response) -> Response:
        if response.status_code != 401:
            response.headers["Sforce-Limit-Info"] = self.limit_info
        return response

    # -- users, permission sets, apps -------------------------------------------------------

    def _ensure_permission_sets(self) -> None:
        if self.schema.sobject("PermissionSet") is None:
            return
        from sandboxes.salesforce import metadata

        for row in metadata.permission_sets():
            if not self.org_store.find_by_field("PermissionSet", "Name", row["Name"]):
                self.org_store.insert_trusted("PermissionSet", row)

    def _ensure_integration_permissions(self) -> None:
        """The integration user holds salesbridge's Integration permission set, as the
        package's install steps say (salesforce/README.md)."""
        if self.schema.sobject("PermissionSetAssignment") is None:
            return
        sets = self.org_store.find_by_field("PermissionSet", "Name", INTEGRATION_PERMISSION_SET)
        users = self.org_store.find_by_field("User", "Username", self.integration_username)
        if not sets or not users:
            return
        held = self.org_store.find_by_field("PermissionSetAssignment", "AssigneeId", users[0]["Id"])
        if not any(row.get("PermissionSetId") == sets[0]["Id"] for row in held):
            self._assign_permission_set(self.integration_username, INTEGRATION_PERMISSION_SET)

    def _assign_permission_set(self, username: str, permission_set: str) -> str:
        users = self.org_store.find_by_field("User", "Username", username)
        sets = self.org_store.find_by_field("PermissionSet", "Name", permission_set)
        if not users:
            raise ValueError(f"permission_set_assignments: no user {username!r}")
        if not sets:
            raise ValueError(f"permission_set_assignments: no permission set {permission_set!r}")
        return self.org_store.insert_trusted(
            "PermissionSetAssignment",
            {"AssigneeId": users[0]["Id"], "PermissionSetId": sets[0]["Id"]},
        )

    def _issue_for_web_app(
        self,
        user: User,
        app: WebApp,
        scopes: frozenset[str],
        refresh_token: str | None,
        base_url: str,
    ) -> dict[str, Any]:
        return self.auth.issue(
            user,
            base_url,
            consumer_secret=app.consumer_secret,
            scope=scopes_text(scopes),
            refresh_token=refresh_token,
        )

    def _admin(self, request: Request) -> Response:
        # The admin answers name this server's own URLs (authorize, token, instanceUrl).
        self._admin_base_url = request.host_url.rstrip("/")
        return super()._admin(request)

    def admin_action(self, method: str, action: str, body: Any) -> Response | None:
        base_url = self._admin_base_url
        match (method, action):
            case ("POST", "oauth/apps"):
                with self.lock:
                    app = self.web_login.register(_object(body))
                return json_response(app.describe(base_url), 201)
            case ("GET", "oauth/apps"):
                with self.lock:
                    apps = [app.describe(base_url) for app in self.web_login.apps.values()]
                return json_response({"apps": apps})
            case ("POST", "canvas/signed-request"):
                with self.lock:
                    return json_response(self._canvas_signed_request(_object(body), base_url))
        return None

    def _canvas_signed_request(self, body: dict[str, Any], base_url: str) -> dict[str, Any]:
        app = self.web_login.app_named(str(body.get("app", "")))
        if app is None or not app.canvas_url:
            raise ValueError(f"app: no registered app {body.get('app')!r} with a canvas_url")
        found = self.org_store.find_by_field("User", "Username", str(body.get("user", "")))
        if not found or not found[0].get("IsActive", True):
            raise ValueError(f"user: no active user {body.get('user')!r}")
        user_row = found[0]
        user = User(user_row["Id"], user_row["Username"], True)
        session = self.auth.issue(
            user, base_url, consumer_secret=app.consumer_secret, scope=scopes_text(app.scopes)
        )
        payload = canvas.canvas_request(
            app=app,
            user=user_row,
            organization={"Id": self.org_id, "Name": self.organization_name},
            base_url=base_url,
            oauth_token=session["access_token"],
            api_version=f"{MAX_VERSION}.0",
            record=self._canvas_record(body.get("record")),
            parameters=body.get("parameters"),
            display_location=body.get("display_location"),
        )
        return {
            "signed_request": canvas.sign(payload, app.consumer_secret),
            "canvas_url": app.canvas_url,
            "payload": payload,
        }

    def _canvas_record(self, spec: Any) -> dict[str, Any] | None:
        if spec is None:
            return None
        spec = _object(spec)
        record_id = ids.normalize(str(spec.get("id", "")))
        record = self.org_store.get_by_id(record_id) if record_id else None
        definition = self.org_store.sobject_of(record_id) if record_id else None
        if record is None or definition is None:
            raise ValueError(f"record: no record {spec.get('id')!r}")
        fields = {name: record.get(name) for name in spec.get("fields", []) if name in record}
        url = f"/services/data/v{MAX_VERSION}.0/sobjects/{definition.name}/{record['Id']}"
        return {"attributes": {"type": definition.name, "url": url}, "Id": record["Id"], **fields}

    # -- users ----------------------------------------------------------------------------------

    def _find_user(self, username: str) -> User | None:
        for row in self.org_store.find_by_field("User", "Username", username):
            return User(row["Id"], row["Username"], bool(row.get("IsActive", True)))
        return None

    def _ensure_integration_user(self) -> None:
        if self.schema.sobject("User") is None or self._find_user(self.integration_username):
            return
        values = self._user_defaults(
            self._sobject("User"),
            {
                "Username": self.integration_username,
                "LastName": "Integration",
                "FirstName": "Salesbridge",
                "Email": self.integration_username,
            },
        )
        self.org_store.insert_trusted("User", values)

    def _user_defaults(self, definition: SObjectDef, values: dict[str, Any]) -> dict[str, Any]:
        """Fill what every User needs (alias, locale, profile) when the seed leaves it out."""
        username = str(values.get("Username", "user@example.com"))
        defaults = {
            "Alias": username.split("@")[0][:8],
            "Email": username,
            "LastName": username.split("@")[0],
            "IsActive": True,
            "TimeZoneSidKey": "America/Los_Angeles",
            "LocaleSidKey": "en_US",
            "EmailEncodingKey": "UTF-8",
            "LanguageLocaleKey": "en_US",
            "ProfileId": self.org_store.profile_id("Standard User"),
        }
        filled = {
            k: v for k, v in defaults.items() if v is not None and definition.field(k) is not None
        }
        return {**filled, **values}


class _MultipleChoices(SalesforceApiError):
    """Raised inside a handler to answer 300 with the matching records' URLs."""

    def __init__(self, response: Response) -> None:
        super().__init__(300, "MULTIPLE_CHOICES", "several records match")
        self.response = response

    def body(self) -> list[dict[str, Any]]:
        return list(json.loads(self.response.get_data()))


class _Seeder:
    """Inserts admin seed rows, resolving "@key" references between them."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.keys: dict[str, str] = {}

    def rows(
        self,
        sobject: str,
        rows: list[dict[str, Any]],
        key_field: str,
        defaults: Callable[[SObjectDef, dict[str, Any]], dict[str, Any]] | None = None,
    ) -> dict[str, str]:
        created: dict[str, str] = {}
        definition = self.org.schema.sobject(sobject)
        if definition is None:
            raise SalesforceApiError(
                400, "INVALID_TYPE", f"sObject type '{sobject}' is not supported."
            )
        for row in rows:
            values = {k: self._resolve(v) for k, v in row.items() if k != "key"}
            if defaults is not None:
                values = defaults(definition, values)
            record_id = self.org.insert_trusted(definition.name, values)
            key = str(row.get("key") or values.get(key_field) or record_id)
            created[key] = record_id
            self.keys[key] = record_id
        return created

    def products(self, rows: list[dict[str, Any]]) -> tuple[dict[str, str], dict[str, str]]:
        products, entries = {}, {}
        standard = self.org.standard_pricebook_id
        for row in rows:
            price = row.get("price")
            product = {k: v for k, v in row.items() if k != "price"}
            product.setdefault("IsActive", True)
            created = self.rows("Product2", [product], "ProductCode")
            key, product_id = next(iter(created.items()))
            products[key] = product_id
            if price is not None and standard is not None:
                entries[key] = self.org.insert_trusted(
                    "PricebookEntry",
                    {
                        "Pricebook2Id": standard,
                        "Product2Id": product_id,
                        "UnitPrice": price,
                        "IsActive": True,
                    },
                )
                self.keys[f"{key}@standard"] = entries[key]
        return products, entries

    def pricebooks(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        answer: dict[str, Any] = {}
        for row in rows:
            entries = row.get("entries", [])
            book = {k: v for k, v in row.items() if k != "entries"}
            book.setdefault("IsActive", True)
            key, book_id = next(iter(self.rows("Pricebook2", [book], "Name").items()))
            entry_ids = {}
            for entry in entries:
                product_key = str(entry["product"])
                entry_ids[product_key] = self.org.insert_trusted(
                    "PricebookEntry",
                    {
                        "Pricebook2Id": book_id,
                        "Product2Id": self._product_id(product_key),
                        "UnitPrice": entry["price"],
                        "IsActive": entry.get("active", True),
                    },
                )
            answer[key] = {"id": book_id, "entries": entry_ids}
        return answer

    def _product_id(self, key: str) -> str:
        """A product seeded in this call, or one already in the org with that ProductCode."""
        if key in self.keys:
            return self.keys[key]
        found = self.org.find_by_field("Product2", "ProductCode", key)
        return str(found[0]["Id"]) if found else key

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("@") and value[1:] in self.keys:
            return self.keys[value[1:]]
        return value


# -- helpers ------------------------------------------------------------------------------------


_WEB_GRANTS = (AUTHORIZATION_CODE_GRANT, REFRESH_TOKEN_GRANT)


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValueError("a JSON object is required")
    return body


def _identity(
    base: str, org_id: str, user: Record, version: str, *, asserted: bool
) -> dict[str, Any]:
    """The documented fields of an identity URL answer (Salesforce Help, "Identity URLs")."""
    data = f"{base}/services/data/v{version}"
    soap = f"{base}/services/Soap"
    first, last = user.get("FirstName"), user.get("LastName")
    return {
        "id": f"{base}/id/{org_id}/{user['Id']}",
        "asserted_user": asserted,
        "user_id": user["Id"],
        "organization_id": org_id,
        "username": user["Username"],
        "nick_name": user.get("CommunityNickname"),
        "display_name": " ".join(p for p in (first, last) if p),
        "email": user.get("Email"),
        "email_verified": True,
        "first_name": first,
        "last_name": last,
        "timezone": user.get("TimeZoneSidKey"),
        "photos": {
            "picture": f"{base}/profilephoto/005/F",
            "thumbnail": f"{base}/profilephoto/005/T",
        },
        "addr_street": user.get("Street"),
        "addr_city": user.get("City"),
        "addr_state": user.get("State"),
        "addr_country": user.get("Country"),
        "addr_zip": user.get("PostalCode"),
        "mobile_phone": user.get("MobilePhone"),
        "mobile_phone_verified": False,
        "is_lightning_login_user": False,
        "status": {"created_date": None, "body": None},
        "urls": {
            "enterprise": f"{soap}/c/{version}/{org_id}",
            "metadata": f"{soap}/m/{version}/{org_id}",
            "partner": f"{soap}/u/{version}/{org_id}",
            "rest": f"{data}/",
            "sobjects": f"{data}/sobjects/",
            "search": f"{data}/search/",
            "query": f"{data}/query/",
            "recent": f"{data}/recent/",
            "tooling_soap": f"{soap}/T/{version}/{org_id}",
            "tooling_rest": f"{data}/tooling/",
            "profile": f"{base}/{user['Id']}",
            "feeds": f"{data}/chatter/feeds",
            "groups": f"{data}/chatter/groups",
            "users": f"{data}/chatter/users",
            "feed_items": f"{data}/chatter/feed-items",
            "feed_elements": f"{data}/chatter/feed-elements",
            "custom_domain": base,
        },
        "active": bool(user.get("IsActive", True)),
        "user_type": str(user.get("UserType") or "Standard").upper(),
        "language": user.get("LanguageLocaleKey"),
        "locale": user.get("LocaleSidKey"),
        "utcOffset": 0,
        "last_modified_date": _json_ready(user).get("LastModifiedDate"),
        "is_app_installed": True,
    }


def _default_schema() -> Schema:
    from sandboxes.salesforce import metadata  # the project's schema, written alongside

    schema: Schema = metadata.default_schema()
    return schema


def _version_number(version: str) -> float:
    try:
        number = float(version)
    except ValueError:
        raise _not_found() from None
    if not MIN_VERSION <= number <= MAX_VERSION or not version.endswith(".0"):
        raise _not_found()
    return number


def _not_found() -> SalesforceApiError:
    return SalesforceApiError(404, "NOT_FOUND", "The requested resource does not exist")


def _release_label(version: int) -> str:
    season = ("Winter", "Spring", "Summer")[(version - 20) % 3]
    return f"{season} '{11 + (version - 20) // 3:02d}"


def _batch_size(options: str) -> int:
    for option in options.split(","):
        name, _, value = option.strip().partition("=")
        if name.strip().lower() == "batchsize" and value.strip().isdigit():
            return min(max(int(value), MIN_BATCH_SIZE), DEFAULT_BATCH_SIZE)
    return DEFAULT_BATCH_SIZE


def _fields_param(request: Request, definition: SObjectDef) -> list[str] | None:
    wanted = request.args.get("fields")
    if not wanted:
        return None
    names = []
    for name in (n.strip() for n in wanted.split(",") if n.strip()):
        fdef = definition.field(name)
        if fdef is None:
            raise SalesforceApiError(
                400,
                "INVALID_FIELD",
                f"No such column '{name}' on sobject of type {definition.name}",
            )
        names.append(fdef.name)
    return names


def _record_body(
    record: Record, definition: SObjectDef, version: str, fields: list[str] | None = None
) -> dict[str, Any]:
    url = f"/services/data/v{version}/sobjects/{definition.name}/{record['Id']}"
    body: dict[str, Any] = {"attributes": {"type": definition.name, "url": url}}
    for name in fields or list(definition.fields):
        value = record.get(name)
        fdef = definition.fields.get(name)
        if fdef is not None and fdef.type == "base64" and value is not None:
            value = VERSION_DATA_PATH.format(version=version, id=record["Id"]).replace(
                "VersionData", name
            )
        body[name] = value
    return body


def _multiple_choices(definition: SObjectDef, record_ids: list[str], version: str) -> Response:
    urls = [f"/services/data/v{version}/sobjects/{definition.name}/{rid}" for rid in record_ids]
    return json_response(urls, 300)


def _sobject_summary(definition: SObjectDef, version: str) -> dict[str, Any]:
    """DescribeGlobalSObjectResult: every documented key (see "Where the documentation is
    silent" for the values this org chooses)."""
    base = f"/services/data/v{version}/sobjects/{definition.name}"
    return {
        "activateable": False,
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": True,
        "custom": definition.custom,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": True,
        "deprecatedAndHidden": False,
        "feedEnabled": False,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": definition.key_prefix,
        "label": definition.label,
        "labelPlural": definition.label_plural,
        "layoutable": True,
        "mergeable": definition.name in _MERGEABLE,
        "mruEnabled": True,
        "name": definition.name,
        "queryable": True,
        "replicateable": True,
        "retrieveable": True,
        "searchable": True,
        "triggerable": True,
        "undeletable": True,
        "updateable": True,
        "urls": {
            "sobject": base,
            "describe": f"{base}/describe",
            "rowTemplate": f"{base}/{{ID}}",
        },
    }


def _describe(definition: SObjectDef, version: str) -> dict[str, Any]:
    """DescribeSObjectResult: the global keys plus fields, relationships and layouts."""
    return {
        **_sobject_summary(definition, version),
        "actionOverrides": [],
        "childRelationships": [
            {
                "cascadeDelete": r.cascade_delete,
                "childSObject": r.child_sobject,
                "deprecatedAndHidden": False,
                "field": r.field,
                "junctionIdListNames": [],
                "junctionReferenceTo": [],
                "relationshipName": r.name,
                "restrictedDelete": False,
            }
            for r in definition.child_relationships.values()
        ],
        "compactLayoutable": True,
        "fields": [_describe_field(f) for f in definition.fields.values()],
        "listviewable": None,
        "lookupLayoutable": None,
        "namedLayoutInfos": [],
        "networkScopeFieldName": None,
        "recordTypeInfos": [],
        "searchLayoutable": True,
        "supportedScopes": [
            {"label": f"All {definition.label_plural.lower()}", "name": "everything"}
        ],
    }


def _describe_field(fdef: FieldDef) -> dict[str, Any]:
    """Field: every documented key; what the schema does not model reads false or null."""
    length = fdef.length or 0
    labels = fdef.picklist_labels or fdef.picklist_values
    text_like = fdef.type in ("textarea", "base64", "multipicklist", "encryptedstring")
    return {
        "aggregatable": not text_like,
        "aiPredictionField": False,
        "autoNumber": False,
        "byteLength": length * 3,
        "calculated": False,
        "calculatedFormula": None,
        "cascadeDelete": False,
        "caseSensitive": fdef.case_sensitive,
        "compoundFieldName": None,
        "controllerName": None,
        "createable": fdef.createable,
        "custom": fdef.custom,
        "defaultValue": fdef.default,
        "defaultValueFormula": None,
        "defaultedOnCreate": fdef.default is not None or fdef.type == "boolean",
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": (fdef.precision or 0) if fdef.type == "int" else 0,
        "displayLocationInDecimal": False,
        "encrypted": fdef.type == "encryptedstring",
        "externalId": fdef.external_id,
        "extraTypeInfo": None,
        "filterable": fdef.type not in ("textarea", "base64"),
        "filteredLookupInfo": None,
        "formulaTreatNullNumberAsZero": False,
        "groupable": fdef.type not in _NOT_GROUPABLE,
        "highScaleNumber": False,
        "htmlFormatted": False,
        "idLookup": fdef.name == "Id" or fdef.external_id or fdef.unique,
        "inlineHelpText": None,
        "label": fdef.label or fdef.name,
        "length": length,
        "mask": None,
        "maskType": None,
        "name": fdef.name,
        "nameField": fdef.name == "Name",
        "namePointing": False,
        "nillable": fdef.nillable,
        "permissionable": fdef.nillable and not fdef.required and fdef.name != "Id",
        "picklistValues": [
            {
                "active": True,
                "defaultValue": value == fdef.default,
                "label": label,
                "validFor": None,  # no dependent picklists here: null, as for a free one
                "value": value,
            }
            for value, label in zip(fdef.picklist_values, labels, strict=True)
        ],
        "polymorphicForeignKey": len(fdef.reference_to) > 1,
        "precision": fdef.precision or 0,
        "queryByDistance": False,
        "referenceTargetField": None,
        "referenceTo": list(fdef.reference_to),
        "relationshipName": fdef.relationship_name,
        "relationshipOrder": None,
        "restrictedDelete": False,
        "restrictedPicklist": fdef.restricted_picklist,
        "scale": fdef.scale or 0,
        "searchPrefilterable": False,
        "soapType": _SOAP_TYPES.get(fdef.type, "xsd:string"),
        "sortable": fdef.type not in ("textarea", "base64", "multipicklist"),
        "type": fdef.type,
        "unique": fdef.unique,
        "updateable": fdef.updateable,
        "writeRequiresMasterRead": False,
    }


# SOQL GROUP BY refuses these types (SOQL and SOSL Reference, "Considerations for GROUP BY").
_NOT_GROUPABLE = {
    "textarea",
    "base64",
    "multipicklist",
    "encryptedstring",
    "double",
    "currency",
    "percent",
    "datetime",
}
# Objects whose records the merge() call accepts (SOAP API Developer Guide, merge()).
_MERGEABLE = {"Account", "Contact", "Lead", "Case"}

_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "base64": "xsd:base64Binary",
}


def _json_object(data: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(data) if data else None
    except (ValueError, UnicodeDecodeError) as error:
        raise SalesforceApiError(
            400, "JSON_PARSER_ERROR", f"Unexpected character: {error}"
        ) from None
    if not isinstance(payload, dict):
        raise SalesforceApiError(
            400,
            "JSON_PARSER_ERROR",
            "Cannot deserialize instance of SObject from "
            f"{'START_ARRAY' if isinstance(payload, list) else 'VALUE'} token",
        )
    return payload


def _multipart_record(request: Request) -> dict[str, Any]:
    """entity_content (the record as JSON) plus one binary part named after the blob field."""
    entity = request.form.get("entity_content")
    if entity is None and "entity_content" in request.files:
        entity = request.files["entity_content"].read().decode()
    if entity is None:
        raise SalesforceApiError(
            400, "INVALID_MULTIPART_REQUEST", "Multipart message must include a non-binary part"
        )
    values = _json_object(entity.encode())
    for name, upload in request.files.items():
        if name != "entity_content":
            values[name] = upload.read()
    return values


def _discard_body(request: Request) -> None:
    stream = request.stream
    while stream.read(1 << 20):
        pass


def _json_ready(record: Record) -> Record:
    return {k: v for k, v in record.items() if not isinstance(v, bytes)}
