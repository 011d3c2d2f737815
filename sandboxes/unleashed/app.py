"""A local Unleashed account: signed requests, paged resources, sales orders, quota, webhooks.

Every API call goes through `_admit` (signature, monthly quota, Accept, Content-Type) and then
its handler, under the sandbox lock. Handlers raise `UnleashedError` for anything Unleashed
would refuse; the `api_call` decorator turns it into Unleashed's error body. Records live in
`records.Account`; sales-order rules in `orders.py`, stock in `stock.py`, webhooks in
`webhooks.py`, wire details (signature, dates, paging, errors) in `wire.py`.

Admin (besides the common /__admin API):
- POST /__admin/seed takes Unleashed field names (see `seed`); known codes are updated.
- POST /__admin/config knobs: `monthly_quota` (None = unlimited), `api_calls_used`, `now` (ISO
  date-time freezing the sandbox clock; None = real time), `require_client_type`, `webhooks`
  (list of {url, events?, signature_key?, id?}) or `webhook_url` + `webhook_secret` (one
  subscription to every event, as the local stack wires it), `webhook_verify` (bool or CA
  bundle path), `api_id`, `api_key`. `now` is kept for older callers: it sets the common
  sandbox clock (`POST /__admin/clock`), which also dates records and webhook notifications.
- POST /__admin/flush waits for webhook deliveries under way and answers them all.

Where the documentation is silent (apidocs.unleashedsoftware.com, checked Nov 2026), we chose:
- Error bodies are {"Description": "...", "DebugInformation": null} for every 4xx/5xx, one
  error at a time (the first rule broken). 403 says "Forbidden"; the docs only name the status.
- The signature is checked against the query string exactly as sent (still percent-encoded),
  never a re-encoded or decoded form. An unknown api-auth-id is a 403 like a bad signature.
- client-type has been required since 30 June 2025 (API change log); the status for a missing
  one is not documented: we answer 403 with a Description naming the header. Its value is
  free text (not validated), as the authentication help says.
- Quota: every authenticated call counts, error answers included (calls the quota blocks do
  not); once used up, every call is answered 429 with a Retry-After of the seconds left until
  00:00 UTC on the 1st of next month, when usage resets. The help centre says only that
  requests "are blocked".
- Accept must name application/json (else 406; XML is not spoken here); bodies of POST/PUT
  need Content-Type application/json (else 415). A body that is not a JSON object is a 500,
  as the status-code page documents ("the object passed could not be parsed").
- Paging: pageSize above 1000 is capped at 1000 (Pagination.PageSize says so); below 1 or not
  a number is a 400. NumberOfPages is 0 when nothing matches; pages past the end are empty.
- Filters are matched case-insensitively by name; unknown filters are ignored. Code and name
  filters match a prefix, case-insensitively. modifiedSince takes an ISO date or date-time
  (UTC) and returns records modified at or after it; anything else is a 400.
- Creates answer 200 (the docs list 200 as the only success code). POST /Customers/{guid}
  creates or updates (fields sent replace those stored; Addresses replace the whole list).
  Contacts follow the 4 Dec 2023 change-log rule for primary contacts: at least one of
  FirstName, LastName, EmailAddress, and the three together unique within the customer.
  ContactFirstName/ContactLastName posted on a customer write its primary contact.
- POST /SalesOrders/{guid} with a Guid already used answers 400 "already exists" and changes
  nothing: clients should GET the Guid to learn what is there.
- Sales order status defaults to Parked; only Parked and Placed may be created or updated;
  Complete works from Parked or Placed; DELETE only from Parked (the order then lists as
  "Deleted", which the list leaves out unless orderStatus asks for it).
- Sales order money: SubTotal, TaxTotal and Total are required whenever lines are sent and
  must match the lines within a cent; LineTotal/LineTax are optional but checked.
  LineTotal = qty x UnitPrice x (1 - DiscountRate), DiscountRate a fraction; LineTax =
  LineTotal x TaxRate; each rounded half-up to cents. UnitPrice defaults to the product's
  DefaultSellPrice. TaxRate defaults to the tax code's rate and must equal it if both are sent.
- Lines: product lines have LineType null; comment lines have LineType "Comment", need
  Comments and carry no product or amounts. Other LineTypes are refused.
- Stock: Placed orders allocate stock; Complete takes it off QtyOnHand (creating the stock
  row if the product never moved). StockOnHand without warehouseCode answers one row per
  product summed over warehouses, with empty warehouse fields (as the docs' example shows);
  /AllWarehouses answers one row per warehouse in the paged envelope; a product that never
  moved is a 404 on /StockOnHand/{guid}.
- Contact changes do not touch the customer's LastModifiedOn and raise no webhook.
- Webhooks: see webhooks.py. Payload {eventNotificationId, subscriptionId, eventType,
  createdOn, data: {customerGuid, customerCode}} (products: productGuid, productCode).
  Changes made through the API or the admin seed (an edit "in Unleashed") are posted.
  Deliveries do not count against the quota (the help centre says so).
"""

from __future__ import annotations

import base64
import functools
import secrets
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from sandboxes.common import SandboxApp, json_response
from sandboxes.unleashed import orders, records, stock
from sandboxes.unleashed.records import Account, checked_guid, wire_record
from sandboxes.unleashed.webhooks import Webhooks, new_signature_key
from sandboxes.unleashed.wire import (
    Filters,
    Page,
    UnleashedError,
    bad_request,
    error_body,
    not_found,
    parse_date,
    signature_matches,
)

Handler = Callable[..., Any]


def api_call(handler: Handler) -> Handler:
    """Admit the request, run the handler under the lock, answer Unleashed-shaped errors."""

    @functools.wraps(handler)
    def wrapper(self: UnleashedSandbox, request: Request, **args: Any) -> Response:
        try:
            self._admit(request)
            with self.lock:
                result = handler(self, request, **args)
        except UnleashedError as error:
            return error.response()
        return result if isinstance(result, Response) else json_response(result)

    return wrapper


def _listing(name: str, endpoint: str) -> list[Rule]:
    return [
        Rule(f"/{name}", methods=["GET"], endpoint=endpoint),
        Rule(f"/{name}/<int:page>", methods=["GET"], endpoint=endpoint),
    ]


class UnleashedSandbox(SandboxApp):
    name = "unleashed"
    rules: ClassVar[list[Rule]] = [
        *_listing("Customers", "list_customers"),
        Rule("/Customers", methods=["POST"], endpoint="create_customer"),
        Rule("/Customers/<guid>", methods=["GET"], endpoint="get_customer"),
        Rule("/Customers/<guid>", methods=["POST"], endpoint="save_customer"),
        Rule("/Customers/<guid>/Contacts", methods=["GET"], endpoint="list_contacts"),
        Rule("/Customers/<guid>/Contacts", methods=["POST"], endpoint="create_contact"),
        Rule("/Customers/<guid>/Contacts/<contact>", methods=["PUT"], endpoint="update_contact"),
        Rule("/Customers/<guid>/Contacts/<contact>", methods=["DELETE"], endpoint="delete_contact"),
        *_listing("Salespersons", "list_salespersons"),
        Rule("/Salespersons/<guid>", methods=["GET"], endpoint="get_salesperson"),
        *_listing("Products", "list_products"),
        Rule("/Products/<guid>", methods=["GET"], endpoint="get_product"),
        *_listing("Warehouses", "list_warehouses"),
        Rule("/Warehouses/<guid>", methods=["GET"], endpoint="get_warehouse"),
        *_listing("Taxes", "list_taxes"),
        *_listing("SalesOrderGroups", "list_sales_order_groups"),
        *_listing("DeliveryMethods", "list_delivery_methods"),
        *_listing("StockOnHand", "list_stock"),
        Rule("/StockOnHand/<guid>", methods=["GET"], endpoint="get_stock"),
        Rule("/StockOnHand/<guid>/AllWarehouses", methods=["GET"], endpoint="get_stock_all"),
        *_listing("SalesOrders", "list_sales_orders"),
        Rule("/SalesOrders/Page/<int:page>", methods=["GET"], endpoint="list_sales_orders"),
        Rule("/SalesOrders/<guid>", methods=["GET"], endpoint="get_sales_order"),
        Rule("/SalesOrders/<guid>", methods=["POST"], endpoint="create_sales_order"),
        Rule("/SalesOrders/<guid>", methods=["PUT"], endpoint="update_sales_order"),
        Rule("/SalesOrders/<guid>", methods=["DELETE"], endpoint="delete_sales_order"),
        Rule("/SalesOrders/<guid>/Complete", methods=["POST"], endpoint="complete_sales_order"),
    ]

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        # Credentials survive reset: the local stack stores them once in Secrets Manager.
        self.api_id = str(uuid.uuid4())
        self.api_key = base64.b64encode(secrets.token_bytes(64)).decode()
        # Late-bound: the base class makes `self.clock` from `clock`.
        self.webhooks = Webhooks(new_signature_key(), clock=lambda: self.clock())
        self.monthly_quota: int | None = None
        self.require_client_type = True
        super().__init__(clock)

    # -- SandboxApp ------------------------------------------------------------------------------

    def reset(self) -> None:
        self.account = Account()
        self.calls_used = 0
        self.quota_month = self._month(self._now())
        self.client_types: Counter[str] = Counter()
        self.webhooks.reset()

    def error_body(self, status: int, message: str) -> Any:
        return error_body(message)

    def connection(self, base_url: str) -> dict[str, Any]:
        return {
            "base_url": base_url,
            "api_id": self.api_id,
            "api_key": self.api_key,
            "client_type": "salesbridge/sync",
            "webhook_signature_key": self.webhooks.default_signature_key,
        }

    def configure(self, options: dict[str, Any]) -> dict[str, Any]:
        try:
            self._configure(options)
        except UnleashedError as error:
            raise ValueError(error.description) from error
        return self._knobs()

    def _configure(self, options: dict[str, Any]) -> None:
        if "now" in options:
            now = options["now"]
            if now is None:
                self.clock.resume()
            else:
                self.clock.freeze(parse_date(now, "now"))
        if "monthly_quota" in options:
            quota = options["monthly_quota"]
            self.monthly_quota = None if quota is None else int(quota)
        if "api_calls_used" in options:
            # The calls used so far in the month the sandbox clock is in now.
            self.calls_used = int(options["api_calls_used"])
            self.quota_month = self._month(self._now())
        if "webhooks" in options:
            self.webhooks.subscribe(list(options["webhooks"] or []))
        if "webhook_url" in options:  # the local stack's one-target form (devstack)
            url, key = options["webhook_url"], options.get("webhook_secret")
            self.webhooks.subscribe([{"url": url, "signature_key": key}] if url else [])
        if "webhook_verify" in options:
            self.webhooks.verify = options["webhook_verify"]
        if "require_client_type" in options:
            self.require_client_type = bool(options["require_client_type"])
        if "api_id" in options:
            self.api_id = str(options["api_id"])
        if "api_key" in options:
            self.api_key = str(options["api_key"])

    def _knobs(self) -> dict[str, Any]:
        return {
            "monthly_quota": self.monthly_quota,
            "api_calls_used": self.calls_used,
            "now": self.clock().isoformat() if self.clock.view()["frozen"] else None,
            "webhooks": self.webhooks.snapshot()["subscriptions"],
            "webhook_verify": self.webhooks.verify,
            "require_client_type": self.require_client_type,
            "api_id": self.api_id,
        }

    def admin_action(self, method: str, action: str, body: Any) -> Response | None:
        """POST /__admin/flush waits for webhook deliveries."""
        if method == "POST" and action == "flush":
            return json_response({"deliveries": self.webhooks.flush()})
        return None

    def snapshot(self) -> dict[str, Any]:
        account = self.account
        return {
            "customers": [self._customer_wire(c, True) for c in account.customers.values()],
            "salespersons": [wire_record(p) for p in account.salespersons.values()],
            "products": [wire_record(p) for p in account.products.values()],
            "warehouses": [wire_record(w) for w in account.warehouses.values()],
            "taxes": list(account.taxes.values()),
            "stock": [wire_record(row) for row in stock.rows(self.account, per_warehouse=True)],
            "sales_orders": [wire_record(o) for o in account.sales_orders.values()],
            "webhooks": self.webhooks.snapshot(),
            "quota": {
                "monthly_quota": self.monthly_quota,
                "used": self.calls_used,
                "month": self.quota_month,
            },
            "client_types": dict(self.client_types),
        }

    # -- admission -----------------------------------------------------------------------------

    def _admit(self, request: Request) -> None:
        self._authenticate(request)
        self._count_call(request.headers.get("client-type", "(none)"))
        if "application/json" not in request.headers.get("Accept", ""):
            raise UnleashedError(406, "The Accept header must be application/json.")
        has_body = request.method in ("POST", "PUT") and bool(request.data)
        if has_body and request.mimetype != "application/json":
            raise UnleashedError(415, "The Content-Type header must be application/json.")

    def _authenticate(self, request: Request) -> None:
        query = request.environ.get("QUERY_STRING", "")
        api_id = request.headers.get("api-auth-id", "")
        offered = request.headers.get("api-auth-signature", "")
        if not secrets.compare_digest(api_id, self.api_id) or not offered:
            raise UnleashedError(403, "Forbidden")
        if not signature_matches(query, self.api_key, offered):
            raise UnleashedError(403, "Forbidden")
        if self.require_client_type and not request.headers.get("client-type", "").strip():
            raise UnleashedError(
                403, "The client-type header is required (partner_name/app_name, e.g. acme/edi)."
            )

    def _count_call(self, client_type: str) -> None:
        with self.lock:
            self.client_types[client_type] += 1
            now = self._now()
            if self._month(now) != self.quota_month:
                self.quota_month, self.calls_used = self._month(now), 0
            if self.monthly_quota is not None and self.calls_used >= self.monthly_quota:
                wait = int((self._next_month(now) - now).total_seconds())
                raise UnleashedError(
                    429,
                    "You have reached your API usage limit and requests are blocked "
                    "until the limit resets on the 1st of next month (00:00 UTC).",
                    {"Retry-After": str(max(wait, 1))},
                )
            self.calls_used += 1

    def _now(self) -> datetime:
        return self.clock()

    @staticmethod
    def _month(moment: datetime) -> str:
        return moment.strftime("%Y-%m")

    @staticmethod
    def _next_month(moment: datetime) -> datetime:
        year, month = (
            (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
        )
        return datetime(year, month, 1, tzinfo=UTC)

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        body = request.get_json(silent=True, force=True)
        if not isinstance(body, dict):
            raise UnleashedError(500, "The object passed to the API could not be parsed.")
        return body

    # -- customers -----------------------------------------------------------------------------

    @api_call
    def list_customers(self, request: Request, page: int = 1) -> Any:
        filters = Filters(request.args)
        selected = [c for c in self.account.customers.values() if self._customer_wanted(c, filters)]
        order_by = (filters.get("orderBy") or "").lower()
        key = {"lastmodifiedon": "LastModifiedOn", "createdon": "CreatedOn"}.get(order_by)
        selected.sort(key=lambda c: c[key] if key else c["CustomerCode"].lower())
        all_contacts = filters.flag("includeAllContacts")
        items = [self._customer_wire(c, all_contacts) for c in selected]
        return Page.from_request(page, filters).envelope(items)

    def _customer_wanted(self, customer: dict[str, Any], filters: Filters) -> bool:
        since = filters.date("modifiedSince")
        contact_email = filters.get("contactEmail")
        emails = [c.get("EmailAddress") or "" for c in self._contacts(customer["Guid"])]
        return (
            (filters.flag("includeObsolete") or not customer["Obsolete"])
            and _starts(customer["CustomerCode"], filters.get("customerCode"))
            and _starts(customer["CustomerName"], filters.get("customerName"))
            and _contains(customer, filters.get("customer"))
            and _equals(customer["Currency"]["CurrencyCode"], filters.get("currency"))
            and _equals(customer.get("CustomerType"), filters.get("customerType"))
            and (since is None or customer["LastModifiedOn"] >= since)
            and (contact_email is None or any(_starts(e, contact_email) for e in emails))
        )

    @api_call
    def get_customer(self, request: Request, guid: str) -> Any:
        all_contacts = Filters(request.args).flag("includeAllContacts")
        return self._customer_wire(self._customer(guid), all_contacts)

    @api_call
    def create_customer(self, request: Request) -> Any:
        body = self._body(request)
        guid = checked_guid(str(body.get("Guid") or uuid.uuid4()), "Customer")
        return self._customer_wire(self._save_customer(guid, body), False)

    @api_call
    def save_customer(self, request: Request, guid: str) -> Any:
        guid = checked_guid(guid, "Customer")
        body = self._body(request)
        if body.get("Guid") and str(body["Guid"]).lower() != guid:
            raise bad_request("The Guid in the body does not match the Guid in the URL.")
        return self._customer_wire(self._save_customer(guid, body), False)

    def _save_customer(
        self, guid: str, body: dict[str, Any], *, notify: bool = True
    ) -> dict[str, Any]:
        existing = self.account.customers.get(guid)
        customer = records.merged_customer(self.account, guid, existing, body, self._now())
        contacts = self.account.contacts.get(guid, {})
        primary = _primary_contact_change(contacts, customer, body)
        self.account.customers[guid] = customer
        self.account.contacts[guid] = contacts
        if primary is not None:
            self._save_contact(guid, primary["Guid"], contacts.get(primary["Guid"]), primary)
        if notify:
            self._notify(guid, created=existing is None)
        return customer

    def _notify(self, guid: str, *, created: bool) -> None:
        event = "customer.created" if created else "customer.updated"
        code = self.account.customers[guid]["CustomerCode"]
        self.webhooks.emit(event, {"customerGuid": guid, "customerCode": code})

    def _customer(self, guid: str) -> dict[str, Any]:
        customer = self.account.customers.get(checked_guid(guid, "Customer"))
        if customer is None:
            raise not_found(f"Customer with Guid '{guid}' was not found.")
        return customer

    def _contacts(self, customer_guid: str) -> list[dict[str, Any]]:
        contacts = self.account.contacts.get(customer_guid, {}).values()
        return sorted(contacts, key=lambda c: (not c["IsDefault"], _full_name(c)))

    def _customer_wire(self, customer: dict[str, Any], all_contacts: bool) -> dict[str, Any]:
        wire = wire_record(customer)
        contacts = self._contacts(customer["Guid"])
        primary = contacts[0] if contacts else None
        wire["ContactFirstName"] = primary["FirstName"] if primary else customer["ContactFirstName"]
        wire["ContactLastName"] = primary["LastName"] if primary else customer["ContactLastName"]
        if all_contacts:
            wire["Contacts"] = [dict(c) for c in contacts[:100]]
        return wire

    # -- contacts ------------------------------------------------------------------------------

    @api_call
    def list_contacts(self, request: Request, guid: str) -> Any:
        customer = self._customer(guid)
        contacts = self._contacts(customer["Guid"])
        return Page(1, max(len(contacts), 1)).envelope([dict(c) for c in contacts])

    @api_call
    def create_contact(self, request: Request, guid: str) -> Any:
        customer = self._customer(guid)
        body = self._body(request)
        contact_guid = checked_guid(str(body.get("Guid") or uuid.uuid4()), "Contact")
        if contact_guid in self.account.contacts[customer["Guid"]]:
            raise bad_request(f"A contact with Guid '{contact_guid}' already exists.")
        return self._save_contact(customer["Guid"], contact_guid, None, body)

    @api_call
    def update_contact(self, request: Request, guid: str, contact: str) -> Any:
        customer = self._customer(guid)
        existing = self._contact(customer["Guid"], contact)
        return self._save_contact(customer["Guid"], existing["Guid"], existing, self._body(request))

    @api_call
    def delete_contact(self, request: Request, guid: str, contact: str) -> Any:
        customer = self._customer(guid)
        existing = self._contact(customer["Guid"], contact)
        siblings = self.account.contacts[customer["Guid"]]
        del siblings[existing["Guid"]]
        if existing["IsDefault"] and siblings:
            self._contacts(customer["Guid"])[0]["IsDefault"] = True
        return Response(status=200)

    def _contact(self, customer_guid: str, contact_guid: str) -> dict[str, Any]:
        found = self.account.contacts[customer_guid].get(checked_guid(contact_guid, "Contact"))
        if found is None:
            raise not_found(f"Contact with Guid '{contact_guid}' was not found.")
        return found

    def _save_contact(
        self,
        customer_guid: str,
        contact_guid: str,
        existing: dict[str, Any] | None,
        body: dict[str, Any],
    ) -> dict[str, Any]:
        siblings = self.account.contacts[customer_guid]
        contact = records.merged_contact(siblings, contact_guid, existing, body)
        if contact["IsDefault"]:
            for other in siblings.values():
                other["IsDefault"] = False
        siblings[contact_guid] = contact
        return dict(contact)

    # -- reference data ------------------------------------------------------------------------

    @api_call
    def list_salespersons(self, request: Request, page: int = 1) -> Any:
        filters = Filters(request.args)
        people = [
            p
            for p in self.account.salespersons.values()
            if filters.flag("includeObsolete") or not p["Obsolete"]
        ]
        people.sort(key=lambda p: p["FullName"].lower())
        return Page.from_request(page, filters).envelope([wire_record(p) for p in people])

    @api_call
    def get_salesperson(self, request: Request, guid: str) -> Any:
        return wire_record(_found(self.account.salespersons, guid, "Salesperson"))

    @api_call
    def list_products(self, request: Request, page: int = 1) -> Any:
        filters = Filters(request.args)
        since = filters.date("modifiedSince")
        selected = [
            p
            for p in self.account.products.values()
            if (filters.flag("includeObsolete") or not p["Obsolete"])
            and _starts(p["ProductCode"], filters.get("productCode"))
            and _starts(p["ProductDescription"], filters.get("productDescription"))
            and (since is None or p["LastModifiedOn"] >= since)
        ]
        selected.sort(key=lambda p: p["ProductCode"].lower())
        return Page.from_request(page, filters).envelope([wire_record(p) for p in selected])

    @api_call
    def get_product(self, request: Request, guid: str) -> Any:
        return wire_record(_found(self.account.products, guid, "Product"))

    @api_call
    def list_warehouses(self, request: Request, page: int = 1) -> Any:
        filters = Filters(request.args)
        houses = sorted(self.account.warehouses.values(), key=lambda w: w["WarehouseCode"])
        return Page.from_request(page, filters).envelope([wire_record(w) for w in houses])

    @api_call
    def get_warehouse(self, request: Request, guid: str) -> Any:
        return wire_record(_found(self.account.warehouses, guid, "Warehouse"))

    @api_call
    def list_taxes(self, request: Request, page: int = 1) -> Any:
        filters = Filters(request.args)
        taxes = [
            dict(t)
            for t in self.account.taxes.values()
            if _equals(t["TaxCode"], filters.get("taxCode"))
        ]
        return Page.from_request(page, filters).envelope(taxes)

    @api_call
    def list_sales_order_groups(self, request: Request, page: int = 1) -> Any:
        groups = [dict(g) for g in self.account.sales_order_groups.values()]
        return Page.from_request(page, Filters(request.args)).envelope(groups)

    @api_call
    def list_delivery_methods(self, request: Request, page: int = 1) -> Any:
        methods = [dict(m) for m in self.account.delivery_methods.values()]
        return Page.from_request(page, Filters(request.args)).envelope(methods)

    # -- stock on hand -------------------------------------------------------------------------

    @api_call
    def list_stock(self, request: Request, page: int = 1) -> Any:
        filters = Filters(request.args)
        warehouse_code, warehouse_name = filters.get("warehouseCode"), filters.get("warehouseName")
        per_warehouse = warehouse_code is not None or warehouse_name is not None
        product_ids = {g.strip().lower() for g in (filters.get("productId") or "").split(",")}
        since = filters.date("modifiedSince")
        rows = [
            row
            for row in stock.rows(self.account, per_warehouse)
            if _equals(row["WarehouseCode"], warehouse_code)
            and _equals(row["Warehouse"], warehouse_name)
            and (product_ids == {""} or row["ProductGuid"] in product_ids)
            and (since is None or row["LastModifiedOn"] >= since)
        ]
        return Page.from_request(page, filters).envelope([wire_record(r) for r in rows])

    @api_call
    def get_stock(self, request: Request, guid: str) -> Any:
        product = _found(self.account.products, guid, "Product")
        rows = [r for r in stock.rows(self.account, False) if r["ProductGuid"] == product["Guid"]]
        if not rows:
            raise not_found(f"No stock on hand for product '{product['ProductCode']}'.")
        return wire_record(rows[0])

    @api_call
    def get_stock_all(self, request: Request, guid: str) -> Any:
        product = _found(self.account.products, guid, "Product")
        rows = [r for r in stock.rows(self.account, True) if r["ProductGuid"] == product["Guid"]]
        return Page(1, max(len(rows), 1)).envelope([wire_record(r) for r in rows])

    # -- sales orders --------------------------------------------------------------------------

    @api_call
    def list_sales_orders(self, request: Request, page: int = 1) -> Any:
        filters = Filters(request.args)
        selected = [o for o in self.account.sales_orders.values() if orders.wanted(o, filters)]
        selected.sort(key=lambda o: o["OrderNumber"])
        return Page.from_request(page, filters).envelope([wire_record(o) for o in selected])

    @api_call
    def get_sales_order(self, request: Request, guid: str) -> Any:
        return wire_record(self._order(guid))

    @api_call
    def create_sales_order(self, request: Request, guid: str) -> Any:
        guid = checked_guid(guid, "Sales Order")
        body = self._body(request)
        if body.get("Guid") and str(body["Guid"]).lower() != guid:
            raise bad_request("The Guid in the body does not match the Guid in the URL.")
        order = orders.new_order(self.account, guid, body, self._now())
        self.account.sales_orders[guid] = order
        if order["OrderStatus"] == "Placed":
            stock.touch(self.account, [order], self._now())
        return wire_record(order)

    @api_call
    def update_sales_order(self, request: Request, guid: str) -> Any:
        current = self._order(guid)
        if current["OrderStatus"] not in orders.EDITABLE_STATUSES:
            status = current["OrderStatus"]
            raise bad_request(f"A {status} Sales Order cannot be updated.")
        order = orders.updated_order(self.account, current, self._body(request), self._now())
        self.account.sales_orders[order["Guid"]] = order
        placed = [o for o in (current, order) if o["OrderStatus"] == "Placed"]
        stock.touch(self.account, placed, self._now())
        return wire_record(order)

    @api_call
    def complete_sales_order(self, request: Request, guid: str) -> Any:
        order = orders.completed(self._order(guid), self._now())
        self.account.sales_orders[order["Guid"]] = order
        stock.touch(self.account, [order], self._now(), ship=True)
        return wire_record(order)

    @api_call
    def delete_sales_order(self, request: Request, guid: str) -> Any:
        order = orders.deleted(self._order(guid), self._now())
        self.account.sales_orders[order["Guid"]] = order
        return Response(status=200)

    def _order(self, guid: str) -> dict[str, Any]:
        order = self.account.sales_orders.get(checked_guid(guid, "Sales Order"))
        if order is None:
            raise not_found(f"Sales Order with Guid '{guid}' was not found.")
        return order

    # -- admin seed ----------------------------------------------------------------------------

    def seed(self, data: dict[str, Any]) -> dict[str, Any]:
        """Load records in Unleashed's own field names; existing codes are updated in place.

        {"currency": "USD",
         "salespersons": [{"FullName", "Email"}], "warehouses": [{"WarehouseCode", ...}],
         "taxes": [{"TaxCode", "Description", "TaxRate"}],
         "sales_order_groups": ["Retail"], "delivery_methods": ["Courier"],
         "products": [{"ProductCode", "ProductDescription", "DefaultSellPrice"}],
         "customers": [{"CustomerCode", "CustomerName", ..., "SalesPerson": {"Email"},
                        "Contacts": [{"FirstName", "LastName", ...}]}],
         "stock": [{"ProductCode", "WarehouseCode", "QtyOnHand"}]}
        Answers the Guids made: {"customers": {code: guid}, "products": {...}, ...}.
        """
        try:
            return self._seed(data)
        except UnleashedError as error:
            raise ValueError(error.description) from error

    def _seed(self, data: dict[str, Any]) -> dict[str, Any]:
        now, account = self._now(), self.account
        account.currency = data.get("currency", account.currency)
        made: dict[str, dict[str, str]] = {}
        made["salespersons"] = self._seed_each(
            data.get("salespersons"), account.salespersons, "Email", records.salesperson
        )
        made["warehouses"] = self._seed_each(
            data.get("warehouses"), account.warehouses, "WarehouseCode", records.warehouse
        )
        made["taxes"] = self._seed_each(
            data.get("taxes"), account.taxes, "TaxCode", lambda d, _: records.tax(d)
        )
        for name in data.get("sales_order_groups") or []:
            account.sales_order_groups[name.lower()] = records.named_entry(name, "GroupName")
        for name in data.get("delivery_methods") or []:
            account.delivery_methods[name.lower()] = records.named_entry(name, "Name")
        made["products"] = self._seed_products(data.get("products") or [], now)
        made["customers"] = {
            entry["CustomerCode"]: self._seed_customer(entry)
            for entry in data.get("customers") or []
        }
        for entry in data.get("stock") or []:
            self._seed_stock(entry, now)
        return made

    def _seed_each(
        self,
        entries: Iterable[dict[str, Any]] | None,
        table: dict[str, dict[str, Any]],
        key: str,
        build: Callable[[dict[str, Any], datetime], dict[str, Any]],
    ) -> dict[str, str]:
        made = {}
        for entry in entries or []:
            existing = records.by_text(table.values(), key, str(entry.get(key) or ""))
            record = build({**(existing or {}), **entry}, self._now())
            table[record["Guid"]] = record
            made[record[key]] = record["Guid"]
        return made

    def _seed_products(self, entries: list[dict[str, Any]], now: datetime) -> dict[str, str]:
        made = {}
        for entry in entries:
            existing = self.account.product_by_code(str(entry.get("ProductCode") or ""))
            product = records.product({**(existing or {}), **entry}, now)
            if existing:
                product["CreatedOn"] = existing["CreatedOn"]
            self.account.products[product["Guid"]] = product
            event = "product.updated" if existing else "product.created"
            data = {"productGuid": product["Guid"], "productCode": product["ProductCode"]}
            self.webhooks.emit(event, data)
            made[product["ProductCode"]] = product["Guid"]
        return made

    def _seed_customer(self, entry: dict[str, Any]) -> str:
        existing = self.account.customer_by_code(str(entry.get("CustomerCode") or ""))
        guid = existing["Guid"] if existing else str(entry.get("Guid") or uuid.uuid4()).lower()
        fields = {k: v for k, v in entry.items() if k not in ("Contacts", "Guid")}
        self._save_customer(guid, fields, notify=False)
        if "Contacts" in entry:
            # An edit of the customer's contacts in the web app saves the customer: known
            # Guids are updated, the rest replaced; the notification follows the whole save.
            before = self.account.contacts.get(guid, {})
            self.account.contacts[guid] = {}
            for contact in entry["Contacts"] or []:
                contact_guid = str(contact.get("Guid") or uuid.uuid4()).lower()
                previous = before.get(contact_guid)
                self._save_contact(guid, contact_guid, previous, contact)
        self._notify(guid, created=existing is None)
        return guid

    def _seed_stock(self, entry: dict[str, Any], now: datetime) -> None:
        product = self.account.product_by_code(str(entry.get("ProductCode") or ""))
        warehouse = self.account.warehouse_by_code(str(entry.get("WarehouseCode") or ""))
        if product is None or warehouse is None:
            raise bad_request(f"Stock for unknown product or warehouse: {entry}")
        key = (product["Guid"], warehouse["WarehouseCode"])
        self.account.stock[key] = {"QtyOnHand": float(entry["QtyOnHand"]), "LastModifiedOn": now}


# -- helpers -----------------------------------------------------------------------------------


def _starts(value: Any, prefix: str | None) -> bool:
    return prefix is None or str(value or "").lower().startswith(prefix.lower())


def _equals(value: Any, wanted: str | None) -> bool:
    return wanted is None or str(value or "").lower() == wanted.lower()


def _contains(customer: dict[str, Any], text: str | None) -> bool:
    """The `customer` filter: code or name contains the text (case-sensitive, as documented)."""
    return text is None or text in customer["CustomerCode"] or text in customer["CustomerName"]


def _primary_contact_change(
    contacts: dict[str, dict[str, Any]], customer: dict[str, Any], body: dict[str, Any]
) -> dict[str, Any] | None:
    """ContactFirstName/ContactLastName on a customer write its primary contact (made with
    the customer's Email when there is none yet); checked here, before anything is stored."""
    names = {"ContactFirstName": "FirstName", "ContactLastName": "LastName"}
    change = {field: body[key] for key, field in names.items() if key in body}
    if not change:
        return None
    primary = next((c for c in contacts.values() if c["IsDefault"]), None)
    if primary is None:
        change = {"EmailAddress": customer.get("Email"), **change, "Guid": records.new_guid()}
    else:
        change["Guid"] = primary["Guid"]
    change["IsDefault"] = True
    records.merged_contact(contacts, change["Guid"], primary, change)  # raises a 400 if invalid
    return change


def _full_name(contact: dict[str, Any]) -> str:
    return f"{contact.get('FirstName') or ''} {contact.get('LastName') or ''}".lower()


def _found(table: dict[str, dict[str, Any]], guid: str, what: str) -> dict[str, Any]:
    record = table.get(checked_guid(guid, what))
    if record is None:
        raise not_found(f"{what} with Guid '{guid}' was not found.")
    return record
