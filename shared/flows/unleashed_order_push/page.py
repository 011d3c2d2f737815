"""The Warehouse Selection page's work: what it shows, and what Send queues.

Loading the page costs ONE Salesforce query (opportunity, account, lines) and, in Unleashed,
one stock read per warehouse (`GET /StockOnHand?warehouseCode=`, every product that moved
there, one request per 1000) plus one customer lookup, whatever the number of lines; the
pickers (warehouses, taxes, salespeople, sales order groups, delivery methods, 5 requests)
are kept `picker_cache_seconds` per container. Send costs no outside call: it records a job
and queues the rep's choices (the worker does the rest).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from shared.flows.unleashed_order_push.events import SendRequest
from shared.flows.unleashed_order_push.models import (
    Customer,
    OpportunityForSend,
    Pickers,
    StockLevel,
)
from shared.flows.unleashed_order_push.order import refusals
from shared.flows.unleashed_order_push.ports import OpportunityStore, UnleashedAccount
from shared.flows.unleashed_order_push.settings import UnleashedOrderPushSettings
from shared.intake import Accepted, QueueSender, accept_event
from shared.jobs import Job, JobRepository


@dataclass
class PickerCache:
    """The account's pickers for `max_age` seconds (per container: warm Lambdas share it)."""

    monotonic: Callable[[], float] = time.monotonic
    _value: Pickers | None = None
    _read_at: float = 0.0

    def get(self, max_age: int, read: Callable[[], Pickers]) -> Pickers:
        now = self.monotonic()
        if self._value is None or now - self._read_at >= max_age:
            self._value, self._read_at = read(), now
        return self._value


PICKERS = PickerCache()


@dataclass(frozen=True)
class CustomerCheck:
    code: str | None  # the code the page proposes (the Account's, or one to confirm)
    found: Customer | None
    state: str  # linked | matches_by_name | taken | new | none

    @property
    def message(self) -> str:
        return {
            "linked": f"Customer {self.code} exists in Unleashed.",
            "matches_by_name": f"Customer {self.code} exists in Unleashed with this account's "
            "name: it will be used.",
            "taken": f"Customer code {self.code} is taken by another customer in Unleashed"
            f" ({self.found.name if self.found else ''}): enter another code.",
            "new": f"New customer: {self.code} will be created in Unleashed when you send. "
            "Confirm or change the code.",
            "none": "Enter the customer code for Unleashed.",
        }[self.state]


@dataclass(frozen=True)
class PageView:
    opportunity: OpportunityForSend
    refusals: list[str]
    pickers: Pickers
    stock: dict[str, dict[str, StockLevel]]  # warehouse code -> product code (lower) -> stock
    customer: CustomerCheck
    default_salesperson: str | None
    default_tax: str | None
    switched_off: bool = False
    notes: list[str] = field(default_factory=list)


class SendPage:
    def __init__(
        self,
        *,
        salesforce: OpportunityStore,
        unleashed: UnleashedAccount,
        jobs: JobRepository,
        queue: QueueSender,
        settings: UnleashedOrderPushSettings,
        cache: PickerCache = PICKERS,
    ) -> None:
        self.salesforce = salesforce
        self.unleashed = unleashed
        self.jobs = jobs
        self.queue = queue
        self.settings = settings
        self.cache = cache

    def opportunity(self, opportunity_id: str) -> OpportunityForSend | None:
        return self.salesforce.opportunity_for_send(opportunity_id)

    def view(self, opportunity: OpportunityForSend, user_email: str | None) -> PageView:
        reasons = refusals(opportunity)
        pickers = self.cache.get(self.settings.picker_cache_seconds, self.unleashed.pickers)
        wanted = {line.product_code.lower() for line in opportunity.lines if line.product_code}
        stock = {}
        if wanted:
            for warehouse in pickers.warehouses:
                levels = self.unleashed.stock_in(warehouse.code)
                stock[warehouse.code] = {code: levels[code] for code in wanted if code in levels}
        person = next(
            (
                p.guid
                for p in pickers.salespersons
                if user_email and (p.email or "").lower() == user_email.lower()
            ),
            None,
        )
        tax = self.settings.default_tax_code
        default_tax = next(
            (t.code for t in pickers.taxes if tax and t.code.lower() == tax.lower()), None
        )
        return PageView(
            opportunity=opportunity,
            refusals=reasons,
            pickers=pickers,
            stock=stock,
            customer=self._customer_check(opportunity),
            default_salesperson=person,
            default_tax=default_tax,
            switched_off=not self.settings.enabled,
        )

    def _customer_check(self, opportunity: OpportunityForSend) -> CustomerCheck:
        account = opportunity.account
        if account is None:
            return CustomerCheck(None, None, "none")
        code = account.unleashed_customer_code or _proposed_code(account.name)
        if not code:
            return CustomerCheck(None, None, "none")
        found = self.unleashed.customer_by_code(code)
        if found is None:
            return CustomerCheck(code, None, "new")
        if (
            account.unleashed_customer_guid
            and account.unleashed_customer_guid.lower() == found.guid
        ):
            return CustomerCheck(code, found, "linked")
        if found.name.strip().lower() == account.name.strip().lower():
            return CustomerCheck(code, found, "matches_by_name")
        return CustomerCheck(code, found, "taken")

    def send(self, request: SendRequest, correlation_id: str) -> Accepted:
        return accept_event(
            request, correlation_id=correlation_id, jobs=self.jobs, queue=self.queue
        )

    def job(self, request_key: str) -> Job | None:
        return self.jobs.get(request_key)


def _proposed_code(name: str) -> str:
    """A code the rep confirms or changes: the name's letters and digits, upper case."""
    return "".join(ch for ch in name.upper() if ch.isalnum())[:20]
