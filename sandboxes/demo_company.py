"""The small company every sandbox seeds for `make demo`: one story across all systems.

Harbour & Pine Outdoor Supply sells camping gear to retailers. The same customers,
products, warehouses and salespeople appear in Salesforce, NetSuite, Unleashed and Intacct
under each system's own ids, so that a demo run shows records moving between them.
"""

from __future__ import annotations

from typing import Final

COMPANY: Final = {"name": "Harbour & Pine Outdoor Supply", "currency": "USD"}

SALESPEOPLE: Final = [
    {"key": "maya", "first": "Maya", "last": "Chen", "email": "maya.chen@harbourpine.example"},
    {"key": "luis", "first": "Luis", "last": "Ortega", "email": "luis.ortega@harbourpine.example"},
    {"key": "priya", "first": "Priya", "last": "Nair", "email": "priya.nair@harbourpine.example"},
]

CUSTOMERS: Final = [
    {
        "code": "ALPINE",
        "name": "Alpine Trail Outfitters",
        "phone": "+1 503 555 0101",
        "website": "https://alpinetrail.example",
        "email": "orders@alpinetrail.example",
        "salesperson": "maya",
        "address": {
            "street": "12 Ridge Road",
            "city": "Bend",
            "region": "OR",
            "postcode": "97701",
            "country": "US",
        },
        "contact": {
            "first": "Hannah",
            "last": "Brooks",
            "email": "hannah@alpinetrail.example",
            "phone": "+1 503 555 0111",
            "mobile": "+1 503 555 0112",
        },
        "netsuite_id": "101",
    },
    {
        "code": "COASTAL",
        "name": "Coastal Kayak Co.",
        "phone": "+1 207 555 0102",
        "website": "https://coastalkayak.example",
        "email": "buying@coastalkayak.example",
        "salesperson": "luis",
        "address": {
            "street": "4 Harbor Street",
            "city": "Portland",
            "region": "ME",
            "postcode": "04101",
            "country": "US",
        },
        "contact": {
            "first": "Owen",
            "last": "Marsh",
            "email": "owen@coastalkayak.example",
            "phone": "+1 207 555 0121",
            "mobile": "+1 207 555 0122",
        },
        "netsuite_id": "102",
    },
    {
        "code": "REDWOOD",
        "name": "Redwood Camping Supply",
        "phone": "+1 707 555 0103",
        "website": "https://redwoodcamping.example",
        "email": "hello@redwoodcamping.example",
        "salesperson": "priya",
        "address": {
            "street": "88 Grove Avenue",
            "city": "Eureka",
            "region": "CA",
            "postcode": "95501",
            "country": "US",
        },
        "contact": {
            "first": "Dana",
            "last": "Whitfield",
            "email": "dana@redwoodcamping.example",
            "phone": "+1 707 555 0131",
            "mobile": "+1 707 555 0132",
        },
        "netsuite_id": "103",
    },
    {
        "code": "SUMMIT",
        "name": "Summit Gear Depot",
        "phone": "+1 303 555 0104",
        "website": "https://summitgear.example",
        "email": "purchasing@summitgear.example",
        "salesperson": "maya",
        "address": {
            "street": "230 Peak Boulevard",
            "city": "Boulder",
            "region": "CO",
            "postcode": "80302",
            "country": "US",
        },
        "contact": {
            "first": "Marcus",
            "last": "Lee",
            "email": "marcus@summitgear.example",
            "phone": "+1 303 555 0141",
            "mobile": "+1 303 555 0142",
        },
        "netsuite_id": "104",
    },
    {
        "code": "LAKESIDE",
        "name": "Lakeside Adventure Rentals",
        "phone": "+1 218 555 0105",
        "website": "https://lakesiderentals.example",
        "email": "office@lakesiderentals.example",
        "salesperson": "luis",
        "address": {
            "street": "9 Shoreline Drive",
            "city": "Duluth",
            "region": "MN",
            "postcode": "55802",
            "country": "US",
        },
        "contact": {
            "first": "Greta",
            "last": "Olsen",
            "email": "greta@lakesiderentals.example",
            "phone": "+1 218 555 0151",
            "mobile": "+1 218 555 0152",
        },
        "netsuite_id": "105",
    },
]

PRODUCTS: Final = [
    {"code": "TENT-2P", "name": "Ridgeline 2-Person Tent", "price": 249.00, "netsuite_id": "501"},
    {"code": "TENT-4P", "name": "Basecamp 4-Person Tent", "price": 429.00, "netsuite_id": "502"},
    {"code": "BAG-20F", "name": "Glacier 20F Sleeping Bag", "price": 159.00, "netsuite_id": "503"},
    {"code": "PACK-55L", "name": "Trailhead 55L Backpack", "price": 189.00, "netsuite_id": "504"},
    {"code": "STOVE-1", "name": "Pocket Camp Stove", "price": 59.00, "netsuite_id": "505"},
    {"code": "LAMP-LED", "name": "Lumen LED Lantern", "price": 34.50, "netsuite_id": "506"},
    {"code": "KAYAK-SOLO", "name": "Drift Solo Kayak", "price": 899.00, "netsuite_id": "507"},
    {"code": "PADDLE-AL", "name": "Aluminium Kayak Paddle", "price": 79.00, "netsuite_id": "508"},
]

WAREHOUSES: Final = [
    {"code": "MAIN", "name": "Main Warehouse - Portland OR"},
    {"code": "EAST", "name": "East Coast DC - Newark NJ"},
]

# Quantity on hand per (product code, warehouse code); absent pairs never moved stock.
STOCK: Final = {
    ("TENT-2P", "MAIN"): 40,
    ("TENT-2P", "EAST"): 12,
    ("TENT-4P", "MAIN"): 18,
    ("TENT-4P", "EAST"): 0,
    ("BAG-20F", "MAIN"): 65,
    ("BAG-20F", "EAST"): 30,
    ("PACK-55L", "MAIN"): 22,
    ("PACK-55L", "EAST"): 25,
    ("STOVE-1", "MAIN"): 120,
    ("LAMP-LED", "MAIN"): 200,
    ("LAMP-LED", "EAST"): 80,
    ("KAYAK-SOLO", "EAST"): 6,
    ("PADDLE-AL", "MAIN"): 15,
    ("PADDLE-AL", "EAST"): 44,
}

TAXES: Final = [
    {"code": "NONE", "description": "No tax", "rate": 0.0},
    {"code": "OR", "description": "Oregon (no sales tax)", "rate": 0.0},
    {"code": "STD", "description": "Standard sales tax", "rate": 0.0825},
]

SALES_ORDER_GROUPS: Final = ["Retail", "Wholesale", "Online"]
DELIVERY_METHODS: Final = ["Courier", "Freight", "Customer Pickup"]
