"""Salesforce -> Unleashed: a linked Account or Contact changed in Salesforce.

For each queued callout (the synced values and the record's LastModifiedDate):
1. compare the values with those last synced (the same links the other direction keeps):
   nothing different is an echo of salesbridge's own write, skipped with no API call;
2. read the customer (with its contacts) from Unleashed (1 call) and decide each changed field:
   - changed on both sides since the last sync (Unleashed's value differs from the last synced
     one and from Salesforce's), or changed in Salesforce before salesbridge wrote that field
     from Unleashed (the Salesforce change was overwritten): a conflict, decided by
     `rules.winner` and logged on the job with both values, both times and the winner;
   - a value Unleashed would refuse (`rules.refusals`) is left out with its reason;
3. write the rest to Unleashed (1 call; a 400 naming a field drops that field and sends the
   rest once more);
4. remember the values written (links), and put on the record what must be seen there: the
   refusal reason in `Unleashed_Sync_Error__c` (cleared by the next clean sync), and the
   winning Salesforce value again when salesbridge had overwritten it (1 call, only then).

Costs per changed Account or Contact: Unleashed 2 (read, write), Salesforce 0 (+1 to show or
clear an error, +1 to restore a conflict's winner). Per echo: 0 and 0.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.errors import PermanentError
from shared.flows.unleashed_companies.compare import changed, remembered, synced_keys
from shared.flows.unleashed_companies.events import SalesforceCompanyEvent
from shared.flows.unleashed_companies.models import (
    SF_WRITTEN_AT,
    SF_WRITTEN_FIELDS,
    SYNC_ERROR,
    UNLEASHED_WRITTEN_AT,
    UnleashedContact,
    UnleashedCustomer,
    Values,
    cleaned,
)
from shared.flows.unleashed_companies.ports import (
    RefusedValue,
    SalesforceCompanies,
    UnleashedCustomers,
)
from shared.flows.unleashed_companies.rules import refusals, winner
from shared.flows.unleashed_companies.settings import UnleashedCompaniesSettings
from shared.links import SALESFORCE_ACCOUNT, SALESFORCE_CONTACT, Link, LinkKey, LinkRepository


class SalesforceChanges:
    def __init__(
        self,
        *,
        unleashed: UnleashedCustomers,
        salesforce: SalesforceCompanies,
        links: LinkRepository,
        settings: UnleashedCompaniesSettings,
    ) -> None:
        self.unleashed = unleashed
        self.salesforce = salesforce
        self.links = links
        self.settings = settings

    def apply(self, event: SalesforceCompanyEvent) -> dict[str, Any] | None:
        """Send what changed to Unleashed; None when nothing did (an echo)."""
        key, target = self._link_key(event)
        link = self.links.get(key, target)
        keys = self._keys(event)
        ours = {k: cleaned(event.values.get(k)) for k in keys}
        wanted = changed(ours, link, keys)
        if not wanted:
            return None
        customer = self.unleashed.customer(event.customer_guid)
        if customer is None:
            raise PermanentError(f"Unleashed has no customer {event.customer_guid}")
        theirs = self._theirs(event, customer)
        conflicts, restore = self._decide(event, link, wanted, theirs, customer.modified)
        refused = refusals(wanted)
        to_send = {k: v for k, v in wanted.items() if k not in refused}
        written_at = self._send(event, customer, to_send, refused) if to_send else None
        error = "; ".join(refused.values()) or None
        self._remember(event, link, key, target, to_send, written_at, error)
        if error or (link is not None and link.attributes.get(SYNC_ERROR)):
            self.salesforce.record_sync_state(event.object, event.record_id, error)
        if restore:
            self.salesforce.restore(event.object, event.record_id, restore)
        detail: dict[str, Any] = {"object": event.object, "sent": sorted(to_send)}
        if refused:
            detail["refused"] = refused
        if conflicts:
            detail["conflicts"] = conflicts
        return detail

    # -- deciding ---------------------------------------------------------------------------

    def _decide(
        self,
        event: SalesforceCompanyEvent,
        link: Link | None,
        wanted: Values,
        theirs: Values,
        unleashed_time: datetime | None,
    ) -> tuple[list[dict[str, Any]], Values]:
        """Drop the fields Unleashed wins from `wanted`; answer the conflicts and the values
        to put back in Salesforce (it won, but salesbridge had overwritten it)."""
        last = link.attributes if link is not None else {}
        overwritten = self._overwritten_fields(event, link)
        conflicts: list[dict[str, Any]] = []
        restore: Values = {}
        for field, value in list(wanted.items()):
            known = (last.get(field) or None) if link is not None else theirs.get(field)
            both_changed = link is not None and theirs.get(field) not in (known, value)
            if not both_changed and field not in overwritten:
                continue
            side = winner(event.last_modified_date, unleashed_time, self.settings.system_of_record)
            conflicts.append(
                {
                    "field": field,
                    "salesforce": {"value": value, "at": event.last_modified_date.isoformat()},
                    "unleashed": {
                        "value": theirs.get(field),
                        "at": unleashed_time.isoformat() if unleashed_time else None,
                    },
                    "winner": side,
                }
            )
            if side == "unleashed":
                del wanted[field]
            elif field in overwritten:
                restore[field] = value
        return conflicts, restore

    @staticmethod
    def _overwritten_fields(event: SalesforceCompanyEvent, link: Link | None) -> set[str]:
        """Fields salesbridge wrote into Salesforce after this Salesforce change was made."""
        if link is None or not link.attributes.get(SF_WRITTEN_AT):
            return set()
        written_at = datetime.fromisoformat(link.attributes[SF_WRITTEN_AT])
        if event.last_modified_date >= written_at:
            return set()
        return set(filter(None, link.attributes.get(SF_WRITTEN_FIELDS, "").split(",")))

    # -- the wire ---------------------------------------------------------------------------

    def _send(
        self,
        event: SalesforceCompanyEvent,
        customer: UnleashedCustomer,
        values: Values,
        refused: dict[str, str],
    ) -> datetime | None:
        """Write `values`; a field Unleashed refuses moves to `refused` and the rest goes once
        more. Answers when Unleashed recorded the write (the customer's LastModifiedOn)."""
        for _ in range(2):
            try:
                if event.object == "Account":
                    return self.unleashed.save_customer(customer, values)
                self.unleashed.save_contact(customer.guid, event.contact_guid or "", values)
                return None
            except RefusedValue as refusal:
                if refusal.field not in values:
                    raise PermanentError(f"Unleashed refused: {refusal.reason}") from None
                refused[refusal.field] = refusal.reason
                del values[refusal.field]
                if not values:
                    return None
        raise PermanentError(f"Unleashed refused the change: {'; '.join(refused.values())}")

    def _remember(
        self,
        event: SalesforceCompanyEvent,
        link: Link | None,
        key: str,
        target: str,
        written: Values,
        written_at: datetime | None,
        error: str | None,
    ) -> None:
        base = link or Link(source_key=key, target=target, target_id=event.record_id)
        updated = remembered(base, written, base.synced_version)
        attributes = {**updated.attributes, SYNC_ERROR: error or ""}
        if written_at is not None:
            attributes[UNLEASHED_WRITTEN_AT] = written_at.isoformat()
        self.links.save(updated.model_copy(update={"attributes": attributes}))

    def _keys(self, event: SalesforceCompanyEvent) -> tuple[str, ...]:
        if event.object == "Contact":
            return tuple(k for k in event.values if k in _CONTACT_KEYS)
        # The address goes one way for now (Unleashed -> Salesforce): Unleashed replaces a
        # customer's whole address list on a write, which needs the other addresses read first.
        keys = synced_keys(self.settings)
        return tuple(k for k in keys if k in event.values and not k.startswith("address."))

    @staticmethod
    def _link_key(event: SalesforceCompanyEvent) -> tuple[str, str]:
        if event.object == "Account":
            return LinkKey.unleashed_customer(event.customer_guid), SALESFORCE_ACCOUNT
        return LinkKey.unleashed_contact(event.contact_guid or ""), SALESFORCE_CONTACT

    @staticmethod
    def _theirs(event: SalesforceCompanyEvent, customer: UnleashedCustomer) -> Values:
        if event.object == "Account":
            return customer.values
        guid = (event.contact_guid or "").lower()
        contact = next((c for c in customer.contacts if c.guid == guid), None)
        if contact is None:
            raise PermanentError(f"Unleashed has no contact {guid} under customer {customer.code}")
        return _contact_values(contact)


_CONTACT_KEYS = ("first_name", "last_name", "email", "phone", "mobile", "fax")


def _contact_values(contact: UnleashedContact) -> Values:
    return dict(contact.values)
