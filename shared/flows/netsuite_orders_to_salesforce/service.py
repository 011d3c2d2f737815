"""Syncing a batch of queued NetSuite order events to Salesforce, frugally and safely.

For a batch taken from the FIFO queue:
1. group the messages by order (a group's messages are versions of one order, in order);
   an order whose jobs are all finished is a duplicate delivery and costs nothing;
2. read each order as it is now from NetSuite (1 call; the webhook carries ids, not data) and
   decide with the seed's switches; stale versions and echoes of our own write-back stop here;
3. read the customer only when its account is not linked yet (1 NetSuite call);
4. look up price book entries not in the cache with ONE query for the whole batch;
5. write every order as its own all-or-nothing graph in ONE composite-graph call;
6. remember links (opportunity, lines, account, version, content hash), write the opportunity
   id back into a NetSuite order once, and finish each job.

A write whose outcome is unknown (the answer lost after Salesforce may have committed, the
link not saved, the Lambda killed mid-call) must not leave orphan lines. Before each write an
order's *write intent* is recorded (a link `netsuite:salesorder:<id>` ->
`SALESFORCE_OPPORTUNITY_WRITE`, open);
once the write and its link are saved the intent is settled. An attempt that finds the intent
still open (or no link on a redelivery) does not trust the link: it first reads what
Salesforce holds (ONE query for all such orders of the batch: the opportunities with their
keyed lines) and plans from that, so the write converges to NetSuite's order exactly: lines
updated in place, created, and every line of ours NetSuite no longer has deleted. The normal
path pays no read: 1 Salesforce call per batch (plus the price lookup when not cached).

Failures: a permanent problem fails that order's job with a reason a person can act on, and
the other orders go through; a retryable one returns the order's messages to the queue (and
on the last attempt marks the job failed, the message going to the DLQ); an exhausted
Salesforce API budget holds the jobs back instead of burning retries.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from shared.batch import parse_messages
from shared.envelope import Envelope
from shared.errors import (
    BudgetExhausted,
    ConfigurationError,
    PermanentError,
    RetryableError,
    StaleWrite,
)
from shared.flows.netsuite_orders_to_salesforce.decide import Verdict, decide
from shared.flows.netsuite_orders_to_salesforce.events import NetsuiteOrderEvent
from shared.flows.netsuite_orders_to_salesforce.facts import order_facts, origin
from shared.flows.netsuite_orders_to_salesforce.lines import order_lines
from shared.flows.netsuite_orders_to_salesforce.plan import (
    Plan,
    plan_close,
    plan_sync,
    price_book_for,
)
from shared.flows.netsuite_orders_to_salesforce.ports import (
    BudgetHold,
    OpportunityStore,
    OrderSource,
    PricebookEntryRef,
    WriteOutcomeUnknown,
    WriteResult,
)
from shared.flows.netsuite_orders_to_salesforce.settings import NetsuiteOrdersSettings
from shared.intake import job_for
from shared.jobs import Job, JobRepository, JobStatus
from shared.links import (
    SALESFORCE_ACCOUNT,
    SALESFORCE_OPPORTUNITY,
    SALESFORCE_OPPORTUNITY_WRITE,
    Link,
    LinkKey,
    LinkRepository,
    salesforce_pricebook_entry,
)
from shared.netsuite_records import OPPORTUNITY_ID_FIELD, Customer, SalesOrder
from shared.observability import logger
from shared.order_lines import line_attributes

# The write intent of an order (see the module docstring): attributes {"state": ...}.
INTENT_OPEN, INTENT_SETTLED = "open", "settled"
ENTRY_CACHE_SECONDS = 3600
# Errors that mean our memory of the opportunity's lines is out of date (a line deleted in
# Salesforce, or created by an attempt whose answer was lost): re-read the lines and retry.
STALE_LINE_ERRORS = frozenset({"ENTITY_IS_DELETED", "NOT_FOUND", "INVALID_FIELD_FOR_INSERT_UPDATE"})


@dataclass(frozen=True)
class QueuedOrder:
    message_id: str
    envelope: Envelope[NetsuiteOrderEvent]
    receive_count: int = 1


def queued_orders(records: list[dict[str, Any]]) -> tuple[list[QueuedOrder], list[str]]:
    """The SQS records of a batch as queued orders, and the ids of malformed messages."""
    parsed, malformed = parse_messages(records, Envelope[NetsuiteOrderEvent])
    return [QueuedOrder(*message) for message in parsed], malformed


@dataclass
class BatchResult:
    failed_message_ids: list[str] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)  # job id -> final status


@dataclass
class _Order:
    """One order of the batch on its way through the steps."""

    order_id: str
    messages: list[QueuedOrder]
    jobs: list[Job]
    order: SalesOrder | None = None
    link: Link | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    closing: bool = False
    account_id: str | None = None
    customer: Customer | None = None
    plan: Plan | None = None
    intent: Link | None = None  # the order's write intent, as last read or saved

    @property
    def source_key(self) -> str:
        return LinkKey.netsuite_order(self.order_id)

    @property
    def outcome_unknown(self) -> bool:
        """An earlier write may have committed without salesbridge knowing what it did."""
        if self.intent is not None and self.intent.attributes.get("state") == INTENT_OPEN:
            return True
        return self.link is None and any(m.receive_count > 1 for m in self.messages)


class OrderSync:
    def __init__(
        self,
        *,
        netsuite: OrderSource,
        salesforce: OpportunityStore,
        jobs: JobRepository,
        links: LinkRepository,
        hold: BudgetHold,
        settings: NetsuiteOrdersSettings,
        max_receive_count: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.netsuite = netsuite
        self.salesforce = salesforce
        self.jobs = jobs
        self.links = links
        self.budget = hold
        self.settings = settings
        self.max_receive_count = max_receive_count
        self.clock = clock

    # -- the batch ------------------------------------------------------------------------------

    def run(self, batch: list[QueuedOrder]) -> BatchResult:
        result = BatchResult()
        pending = [o for o in self._group(batch) if self._still_to_do(o, result)]
        held_until = self.budget.held_until() if pending else None
        if held_until is not None:
            for order in pending:
                self._hold(order, result, "Salesforce's daily API budget is exhausted", held_until)
            return result
        to_write: list[_Order] = []
        for order in pending:
            self._guard(order, result, partial(self._prepare, order, result, to_write))
        self._guard_all(to_write, result, self._resolve_accounts)
        to_write = self._learn_unknown_outcomes(to_write, result)
        entries = self._guard_all(to_write, result, self._price_book_entries)
        for order in list(to_write):
            if not self._guard(order, result, partial(self._plan, order, entries or {}, result)):
                to_write.remove(order)
        to_write = [o for o in to_write if o.plan is not None]
        if to_write:
            self._write(to_write, result, entries or {}, repair=True)
        return result

    def _group(self, batch: list[QueuedOrder]) -> list[_Order]:
        groups: dict[str, list[QueuedOrder]] = {}
        for message in batch:
            groups.setdefault(message.envelope.payload.id, []).append(message)
        return [
            _Order(order_id, messages, [self._job(m) for m in messages])
            for order_id, messages in groups.items()
        ]

    def _job(self, message: QueuedOrder) -> Job:
        return job_for(message.envelope, self.jobs)

    def _still_to_do(self, order: _Order, result: BatchResult) -> bool:
        finished = (JobStatus.DONE, JobStatus.SKIPPED)
        if all(job.status in finished for job in order.jobs):
            for job in order.jobs:
                result.outcomes[job.job_id] = job.status.value
            return False
        return True

    # -- steps -----------------------------------------------------------------------------------

    def _prepare(self, order: _Order, result: BatchResult, to_write: list[_Order]) -> None:
        order.order = self.netsuite.sales_order(order.order_id)
        if order.order is None and not deletion_confirmed(
            m.envelope.payload for m in order.messages
        ):
            raise RetryableError(not_visible_reason(order))
        order.link = self.links.get(LinkKey.netsuite_order(order.order_id), SALESFORCE_OPPORTUNITY)
        if order.order is not None and order.link is not None:
            self._write_back_once(order.order, order.link.target_id)
        if order.order is not None:
            order.facts = order_facts(order.order, self.settings)
            self._wait_for_export_link(order.order, order.link)
        decision = decide(order.order, order.facts, link=order.link, settings=self.settings)
        order.reason = decision.reason
        if decision.verdict is Verdict.SKIP:
            self._finish(order, JobStatus.SKIPPED, result, {"reason": decision.reason})
            return
        order.closing = decision.verdict is Verdict.CLOSE
        to_write.append(order)

    def _resolve_accounts(self, orders: list[_Order]) -> None:
        customers: dict[str, Customer | None] = {}  # read each new customer once per batch
        for order in orders:
            if order.closing or order.order is None:
                continue
            customer_id = order.order.entity.id
            account = self.links.get(LinkKey.netsuite_customer(customer_id), SALESFORCE_ACCOUNT)
            if account is not None:
                order.account_id = account.target_id
                continue
            if customer_id not in customers:
                customers[customer_id] = self.netsuite.customer(customer_id)
            order.customer = customers[customer_id]

    def _learn_unknown_outcomes(self, orders: list[_Order], result: BatchResult) -> list[_Order]:
        """Orders whose last write may have committed unseen start from Salesforce's state;
        if that read fails, those orders (only) retry."""
        known = [o for o in orders if self._guard(o, result, partial(self._read_intent, o))]
        unknown = [o for o in known if not o.closing and o.outcome_unknown]
        if unknown:
            read = list(unknown)
            self._guard_all(read, result, self._adopt_salesforce_state)  # empties it on failure
            if not read:  # the read failed: those orders retry, the others go on
                known = [o for o in known if o not in unknown]
        return known

    def _read_intent(self, order: _Order) -> None:
        order.intent = self.links.get(order.source_key, SALESFORCE_OPPORTUNITY_WRITE)

    def _adopt_salesforce_state(self, orders: list[_Order]) -> None:
        """ONE query for the opportunities and keyed lines of `orders`; each order's link then
        says what Salesforce really holds (its echo digest cleared: it must write)."""
        states = self.salesforce.opportunity_states({o.order_id for o in orders})
        for order in orders:
            state = states.get(order.order_id)
            if state is None and order.link is None:
                continue  # nothing was committed: plan as new
            attributes = line_attributes(state.lines if state else {})
            base = order.link or Link(
                source_key=order.source_key, target=SALESFORCE_OPPORTUNITY, target_id=""
            )
            order.link = base.model_copy(
                update={
                    "target_id": state.opportunity_id if state else base.target_id,
                    "attributes": attributes,
                    "fields_hash": None,
                }
            )
            logger.info(
                "planning from Salesforce's state: an earlier write's outcome is unknown",
                extra={**_trace(order), "salesforce_lines": len(attributes)},
            )

    def _open_intents(self, orders: list[_Order], result: BatchResult) -> list[_Order]:
        """Record, before writing, that each order's write is under way; an order whose
        intent cannot be recorded is not written (it retries)."""
        ready = []
        for order in orders:
            if self._guard(order, result, partial(self._open_intent, order)):
                ready.append(order)
        return ready

    def _open_intent(self, order: _Order) -> None:
        if order.intent is not None and order.intent.attributes.get("state") == INTENT_OPEN:
            return
        version = order.order.version if order.order else ""
        base = order.intent or Link(
            source_key=order.source_key, target=SALESFORCE_OPPORTUNITY_WRITE, target_id=version
        )
        try:
            order.intent = self.links.save(
                base.model_copy(update={"target_id": version, "attributes": {"state": INTENT_OPEN}})
            )
        except Exception as exc:  # StaleWrite included: another worker is on it, retry later
            raise RetryableError(f"could not record the write intent: {exc}") from exc

    def _settle_intent(self, order: _Order) -> None:
        """The write and its link are saved: the next attempt may trust the link again."""
        if order.intent is None:
            return
        try:
            order.intent = self.links.save(
                order.intent.model_copy(update={"attributes": {"state": INTENT_SETTLED}})
            )
        except Exception as exc:  # the next attempt only pays one read more
            logger.warning(
                "could not settle the write intent", extra={**_trace(order), "error": str(exc)}
            )

    def _price_book_entries(self, orders: list[_Order]) -> dict[tuple[str, str], PricebookEntryRef]:
        needed: set[tuple[str, str]] = set()
        for order in orders:
            if order.closing or order.order is None:
                continue
            lines = order_lines(
                order.order, sync_zero_quantity=self.settings.sync_zero_quantity_lines
            )
            try:
                book = price_book_for(lines, self.settings)
            except PermanentError:
                continue  # reported with the order's other problems when it is planned
            needed |= {(book, p.item_id) for p in lines.products}
        entries: dict[tuple[str, str], PricebookEntryRef] = {}
        missing: set[tuple[str, str]] = set()
        for book, item in needed:
            cached = self._cached_entry(book, item)
            if cached is None:
                missing.add((book, item))
            else:
                entries[(book, item)] = cached
        if missing:
            found = self.salesforce.pricebook_entries(
                {book for book, _ in missing}, {item for _, item in missing}
            )
            for key, entry in found.items():
                if key in missing:
                    entries[key] = entry
                    self._cache_entry(entry, key[0])
        return entries

    def _plan(
        self, order: _Order, entries: dict[tuple[str, str], PricebookEntryRef], result: BatchResult
    ) -> bool:
        if order.closing:
            assert order.link is not None
            order.plan = plan_close(order.order_id, self.settings, order.link)
            return True
        assert order.order is not None
        order.plan = plan_sync(
            order.order,
            order.facts,
            settings=self.settings,
            link=order.link,
            account_id=order.account_id,
            customer=order.customer,
            entries=entries,
            record_url=self.netsuite.record_url(order.order_id),
        )
        link = order.link
        if link is not None and link.fields_hash == order.plan.fields_hash:
            # Nothing salesbridge writes has changed: typically the echo of our own write-back.
            self.links.save(link.model_copy(update={"synced_version": order.order.version}))
            self._finish(
                order,
                JobStatus.SKIPPED,
                result,
                {"reason": "no change since the last sync (an echo of salesbridge's own write)"},
            )
            order.plan = None
            return False
        return True

    def _write(
        self,
        orders: list[_Order],
        result: BatchResult,
        entries: dict[tuple[str, str], PricebookEntryRef],
        *,
        repair: bool,
    ) -> None:
        orders = self._open_intents(orders, result)
        writes = [o.plan.write for o in orders if o.plan is not None]
        if not writes:
            return
        try:
            results = self.salesforce.write_orders(writes)
        except WriteOutcomeUnknown as exc:
            # The intents stay open: the next attempt reads Salesforce's state first.
            for order in orders:
                self._retry(order, result, f"outcome unknown, will converge: {exc.message}")
            return
        except BudgetExhausted as exc:
            until = self.budget.hold(exc.message)
            for order in orders:
                self._hold(order, result, exc.message, until)
            return
        except RetryableError as exc:
            for order in orders:
                self._retry(order, result, exc.message)
            return
        except PermanentError as exc:
            # Salesforce refused the payload itself, or our own configuration kept the call
            # from reaching it (TLS trust, the secret): resending cannot help, so every job
            # says why (a replay after the fix re-sends it).
            reason = (
                exc.message
                if isinstance(exc, ConfigurationError)
                else f"Salesforce refused the whole write: {exc.message}"
            )
            for order in orders:
                self._fail(order, result, reason)
            return
        to_repair: list[_Order] = []
        for order in orders:
            assert order.plan is not None
            outcome = results.get(order.plan.write.write_id)
            if outcome is None:
                self._retry(order, result, "Salesforce returned no result for this order")
            elif outcome.ok:
                self._guard(order, result, partial(self._synced, order, outcome, result))
            elif repair and outcome.failure and outcome.failure.error_code in STALE_LINE_ERRORS:
                to_repair.append(order)
            elif outcome.failure and outcome.failure.retryable:
                self._retry(order, result, _describe(outcome))
            else:
                self._fail(order, result, _describe(outcome))
        if to_repair:
            self._repair_lines(to_repair, result, entries)

    def _repair_lines(
        self,
        orders: list[_Order],
        result: BatchResult,
        entries: dict[tuple[str, str], PricebookEntryRef],
    ) -> None:
        """Re-read the lines Salesforce really has, re-plan, and write once more. The read is
        guarded like every step: if it fails, these orders retry (with their bookkeeping)."""
        self._guard_all(orders, result, self._adopt_salesforce_state)
        for order in orders:
            order.plan = None
            self._guard(order, result, partial(self._plan, order, entries, result))
        self._write([o for o in orders if o.plan is not None], result, entries, repair=False)

    def _synced(self, order: _Order, outcome: WriteResult, result: BatchResult) -> None:
        assert order.plan is not None
        opportunity_id = outcome.opportunity_id or (order.link.target_id if order.link else "")
        lines = line_attributes(outcome.line_ids)
        version = (
            order.order.version
            if order.order
            else (order.link.synced_version if order.link else None)
        )
        base = order.link or Link(
            source_key=LinkKey.netsuite_order(order.order_id),
            target=SALESFORCE_OPPORTUNITY,
            target_id="",
        )
        self._save_link(
            base.model_copy(
                update={
                    "target_id": opportunity_id,
                    "synced_version": version,
                    "fields_hash": order.plan.fields_hash,
                    "attributes": lines if not order.closing else base.attributes,
                }
            )
        )
        if order.plan.write.account is not None and outcome.account_id:
            customer_id = order.plan.write.account.external_id
            key = LinkKey.netsuite_customer(customer_id)
            if self.links.get(key, SALESFORCE_ACCOUNT) is None:
                self._save_link(
                    Link(source_key=key, target=SALESFORCE_ACCOUNT, target_id=outcome.account_id)
                )
        self._settle_intent(order)
        if order.order is not None:
            self._write_back_once(order.order, opportunity_id)
        detail: dict[str, Any] = {
            "reason": order.reason,
            "opportunity_id": opportunity_id,
            "account_id": outcome.account_id or order.account_id,
            "skipped_lines": [s.as_dict() for s in order.plan.skipped],
            **(order.plan.detail or {}),
        }
        self._finish(order, JobStatus.DONE, result, detail, outcome=detail)

    # -- links, caches, write-back ---------------------------------------------------------------

    def _wait_for_export_link(self, sales_order: SalesOrder, link: Link | None) -> None:
        """An order salesbridge just created from an opportunity fires a webhook of its own,
        which can overtake the exporter recording the link. Syncing it then would create a
        second opportunity; waiting for the link (a retry) makes it a recognised echo."""
        opportunity_id = sales_order.custom.get(OPPORTUNITY_ID_FIELD)
        if link is None and opportunity_id and origin(sales_order) == "Salesforce":
            raise RetryableError(
                f"order {sales_order.id} was created from opportunity {opportunity_id}, whose "
                "export has not recorded its link yet"
            )

    def _write_back_once(self, sales_order: SalesOrder, opportunity_id: str) -> None:
        """Put the opportunity id on the NetSuite order, unless it is already there."""
        if opportunity_id and sales_order.custom.get(OPPORTUNITY_ID_FIELD) != opportunity_id:
            self.netsuite.update_sales_order(sales_order.id, {OPPORTUNITY_ID_FIELD: opportunity_id})

    def _save_link(self, link: Link) -> None:
        try:
            self.links.save(link)
        except StaleWrite:
            raise
        except Exception as exc:  # a DynamoDB outage: the write happened, retry to record it
            raise RetryableError(f"could not record the link {link.source_key}: {exc}") from exc

    def _cached_entry(self, book: str, item_id: str) -> PricebookEntryRef | None:
        link = self.links.get(LinkKey.netsuite_item(item_id), salesforce_pricebook_entry(book))
        if link is None:
            return None
        cached_at = float(link.attributes.get("cached_at", "0"))
        if self.clock() - cached_at > ENTRY_CACHE_SECONDS:
            return None
        return PricebookEntryRef(
            id=link.target_id,
            pricebook_id=link.attributes["pricebook_id"],
            pricebook_name=book,
            item_id=item_id,
            active=link.attributes.get("active") == "true",
        )

    def _cache_entry(self, entry: PricebookEntryRef, book: str) -> None:
        key, target = LinkKey.netsuite_item(entry.item_id), salesforce_pricebook_entry(book)
        existing = self.links.get(key, target)
        attributes = {
            "pricebook_id": entry.pricebook_id,
            "active": "true" if entry.active else "false",
            "cached_at": str(self.clock()),
        }
        link = (existing or Link(source_key=key, target=target, target_id=entry.id)).model_copy(
            update={"target_id": entry.id, "attributes": attributes}
        )
        with contextlib.suppress(StaleWrite):  # another worker cached it just now: as good
            self.links.save(link)

    # -- outcomes --------------------------------------------------------------------------------

    def _guard(self, order: _Order, result: BatchResult, step: Callable[[], Any]) -> bool:
        """Run one order's step; route its failure to that order alone."""
        try:
            step()
            return True
        except PermanentError as exc:
            self._fail(order, result, exc.message)
        except RetryableError as exc:
            self._retry(order, result, exc.message)
        except Exception as exc:  # a bug or an outage we did not foresee: this order only
            logger.exception("unexpected error in an order's step", extra=_trace(order))
            self._retry(order, result, f"unexpected error: {type(exc).__name__}: {exc}")
        return False

    def _guard_all(
        self, orders: list[_Order], result: BatchResult, step: Callable[[list[_Order]], Any]
    ) -> Any:
        """Run a step shared by the batch; if it fails, every order it concerned retries."""
        try:
            return step(orders)
        except BudgetExhausted as exc:
            until = self.budget.hold(exc.message)
            for order in orders:
                self._hold(order, result, exc.message, until)
        except (RetryableError, PermanentError) as exc:
            for order in orders:
                self._retry(order, result, exc.message)
        except Exception as exc:  # never out of the handler: each order keeps its bookkeeping
            logger.exception("unexpected error in a batch step")
            for order in orders:
                self._retry(order, result, f"unexpected error: {type(exc).__name__}: {exc}")
        orders.clear()
        return None

    def _finish(
        self,
        order: _Order,
        status: JobStatus,
        result: BatchResult,
        detail: dict[str, Any],
        *,
        outcome: dict[str, Any] | None = None,
    ) -> None:
        for job in order.jobs:
            if job.status in (JobStatus.DONE, JobStatus.SKIPPED):
                result.outcomes[job.job_id] = job.status.value
                continue
            self.jobs.transition(job, status, detail=detail, attempted=True, outcome=outcome)
            result.outcomes[job.job_id] = status.value
        logger.info(
            "order synced" if status is JobStatus.DONE else "order skipped",
            extra={**_trace(order), "status": status.value, **detail},
        )

    def _fail(self, order: _Order, result: BatchResult, reason: str) -> None:
        for job in order.jobs:
            self.jobs.transition(job, JobStatus.FAILED, error=reason, attempted=True)
            result.outcomes[job.job_id] = JobStatus.FAILED.value
        logger.warning("order failed", extra={**_trace(order), "reason": reason})

    def _retry(self, order: _Order, result: BatchResult, reason: str) -> None:
        last = max(m.receive_count for m in order.messages) >= self.max_receive_count
        for job in order.jobs:
            if last:
                error = (
                    f"gave up after {self.max_receive_count} attempts "
                    f"(the message is in the DLQ): {reason}"
                )
                self.jobs.transition(job, JobStatus.FAILED, error=error, attempted=True)
                result.outcomes[job.job_id] = JobStatus.FAILED.value
            else:
                with contextlib.suppress(StaleWrite):  # bookkeeping only: never block a retry
                    self.jobs.transition(job, job.status, error=reason, attempted=True)
                result.outcomes[job.job_id] = "retrying"
        result.failed_message_ids.extend(m.message_id for m in order.messages)
        logger.warning(
            "order will be retried" if not last else "order goes to the DLQ",
            extra={**_trace(order), "reason": reason},
        )

    def _hold(self, order: _Order, result: BatchResult, reason: str, until: str) -> None:
        for job in order.jobs:
            self.jobs.transition(job, JobStatus.HELD, error=reason, held_until=until)
            result.outcomes[job.job_id] = JobStatus.HELD.value


def deletion_confirmed(events: Iterable[NetsuiteOrderEvent]) -> bool:
    """Whether an order that NetSuite no longer returns may be treated as deleted.

    A 404 alone proves nothing: the integration role may have lost the right to see the order
    (a role or subsidiary change), so closing its opportunity on a 404 would close live deals.
    Only a `delete` event says the order is gone. A reconciliation that confirms absence by
    its own means (NetSuite's deleted-record search, then a second read) closes the
    opportunity the same way: it queues a `delete` event for the order (`accept_order_event`
    with `eventType: "delete"`), and this worker does the rest."""
    return any(event.event_type == "delete" for event in events)


def not_visible_reason(order: _Order) -> str:
    """What a person reads when NetSuite does not return an order that an event named.

    Retried with backoff first: besides a lasting permissions problem, a read can miss an
    order for a moment (an edit still committing, a role being changed back), and the retries
    cost NetSuite reads only. After the last one the job fails with this reason, the
    message is in the DLQ, and `ops replay` (or `ops redrive`) syncs it once fixed."""
    events = sorted({m.envelope.payload.event_type for m in order.messages})
    return (
        f"NetSuite returns 404 for sales order {order.order_id}: check the integration role "
        f"can see it (the event was {'/'.join(events)}, not a delete, so its opportunity is "
        "left open; replay the job once NetSuite returns the order)"
    )


def _trace(order: _Order) -> dict[str, Any]:
    """What ties a log line to the record: the order, its jobs and their correlation ids
    (carried from the webhook through the queue in the envelope)."""
    return {
        "netsuite_order_id": order.order_id,
        "job_ids": [job.job_id for job in order.jobs],
        "correlation_id": order.jobs[0].correlation_id if order.jobs else None,
    }


def _describe(outcome: WriteResult) -> str:
    failure = outcome.failure
    if failure is None:
        return "Salesforce refused the write"
    fields = f" ({', '.join(failure.fields)})" if failure.fields else ""
    return f"Salesforce refused the write: {failure.error_code}{fields}: {failure.message}"
