"""The demo company loads and reads back through the API as salesbridge will see it."""

from __future__ import annotations

import httpx

from sandboxes.common import SandboxAdmin
from sandboxes.demo_company import CUSTOMERS
from sandboxes.netsuite.demo import demo_seed


def test_demo_seed_loads_customers_items_and_orders(ns: httpx.Client, admin: SandboxAdmin) -> None:
    created = admin.seed(demo_seed())

    assert created["customers"] == [c["netsuite_id"] for c in CUSTOMERS]
    assert len(created["salesOrders"]) == 3
    first = ns.get(f"/salesOrder/{created['salesOrders'][0]}?expandSubResources=true").json()
    kinds = [line["itemType"]["id"] for line in first["item"]["items"]]
    assert kinds == ["InvtPart", "InvtPart", "Subtotal", "Discount", "Description"]
    # 6 x 249 + 10 x 159 = 3084.00, less 10 % loyalty discount
    assert first["total"] == 2775.6
    assert first["custbody_sb_send_to_salesforce"] is True
    customer = ns.get("/customer/101").json()
    assert customer["salesRep"]["refName"] == "Maya Chen"
    assert customer["defaultAddress"].startswith("Alpine Trail Outfitters\n12 Ridge Road")
