# ruff: noqa: E501 - markup, CSS and script literals read better unbroken
"""The page's HTML: plain, server-rendered, fits the Canvas frame (521 px publisher width),
usable without a mouse (labels, table headers, one control per field). Every value from
Salesforce or Unleashed goes through `html.escape`."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from shared.flows.unleashed_order_push.page import PageView

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:8px;max-width:1000px;color:#181818}
h1{font-size:18px;margin:0 0 8px}h2{font-size:15px;margin:14px 0 6px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:3px 4px;text-align:left}
td.n{text-align:right}tr.short td{background:#fde7e9}.short-tag{color:#b00020;font-weight:600}
label{display:block;margin-top:6px;font-weight:600}input,select,textarea{width:100%;box-sizing:border-box;font:inherit}
.refusal{border-left:4px solid #b00020;padding:6px;background:#fde7e9}.ok{border-left:4px solid #2e844a;padding:6px;background:#e7f5ec}
button{margin-top:10px;padding:6px 16px;font:inherit;font-weight:600}
"""
SCRIPT = """
function showWarehouse(code){document.querySelectorAll('[data-warehouse]').forEach(function(t){t.hidden=t.dataset.warehouse!==code;});}
document.addEventListener('DOMContentLoaded',function(){var s=document.getElementById('warehouse_code');if(s){showWarehouse(s.value);s.addEventListener('change',function(){showWarehouse(s.value);});}
var f=document.getElementById('send-form');if(f){f.addEventListener('submit',function(){var b=document.getElementById('send');b.disabled=true;b.textContent='Sending...';});}});
"""


def _doc(title: str, body: str, script: str = "") -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{STYLE}</style>'
        f"<script>{script}</script></head><body><main>{body}</main></body></html>"
    )


def refusal(reason: str) -> str:
    return _doc(
        "Refused",
        '<h1>Refused</h1><p class="refusal" role="alert">This page opens only from the Send to '
        "Unleashed button in Salesforce. The request could not be verified, so nothing was done.</p>"
        f"<p><small>{escape(reason)}</small></p>",
    )


def message_page(title: str, text: str) -> str:
    return _doc(
        title, f'<h1>{escape(title)}</h1><p class="refusal" role="alert">{escape(text)}</p>'
    )


def _qty(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _options(items: list[tuple[str, str]], selected: str | None, blank: str | None = None) -> str:
    out = [f'<option value="">{escape(blank)}</option>'] if blank is not None else []
    for value, label in items:
        chosen = " selected" if selected is not None and value.lower() == selected.lower() else ""
        out.append(f'<option value="{escape(value)}"{chosen}>{escape(label)}</option>')
    return "".join(out)


def page(view: PageView, signed_request: str) -> str:
    opp = view.opportunity
    parts = [f"<h1>Send to Unleashed: {escape(opp.name)}</h1>"]
    if view.refusals:
        items = "".join(f"<li>{escape(r)}</li>" for r in view.refusals)
        parts.append(
            f'<div class="refusal" role="alert"><strong>This opportunity cannot be sent:</strong><ul>{items}</ul></div>'
        )
    warehouses = view.pickers.warehouses
    default = next(
        (w.code for w in warehouses if w.is_default), warehouses[0].code if warehouses else None
    )
    parts.append('<form method="post" id="send-form">')
    parts.append(f'<input type="hidden" name="signed_request" value="{escape(signed_request)}">')
    parts.append('<input type="hidden" name="action" value="send">')
    parts.append('<label for="warehouse_code">Warehouse</label>')
    parts.append(
        f'<select id="warehouse_code" name="warehouse_code">{_options([(w.code, w.name) for w in warehouses], default)}</select>'
    )
    parts.append("<h2>Lines and stock</h2>")
    for warehouse in warehouses:
        levels = view.stock.get(warehouse.code, {})
        rows = []
        for line in opp.lines:
            level = levels.get((line.product_code or "").lower())
            on_hand, allocated, available = (
                (level.on_hand, level.allocated, level.available) if level else (Decimal(0),) * 3
            )
            short = line.product_code is not None and available < line.quantity
            price = f"{line.unit_price:.2f}" + (" (overridden)" if line.price_overridden else "")
            tag = ' <span class="short-tag">Short</span>' if short else ""
            rows.append(
                f'<tr class="{"short" if short else ""}"><td>{escape(line.product_code or "(none)")}</td>'
                f"<td>{escape(line.product_name)}{tag}</td><td class=n>{_qty(line.quantity)}</td><td class=n>{price}</td>"
                f"<td class=n>{_qty(on_hand)}</td><td class=n>{_qty(allocated)}</td><td class=n>{_qty(available)}</td></tr>"
            )
        parts.append(
            f'<table data-warehouse="{escape(warehouse.code)}"><caption>Stock in {escape(warehouse.name)}</caption>'
            "<thead><tr><th scope=col>Code</th><th scope=col>Product</th><th scope=col>Qty</th><th scope=col>Price</th>"
            "<th scope=col>On hand</th><th scope=col>Allocated</th><th scope=col>Available</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    check = view.customer
    css = "refusal" if check.state in ("taken", "none") else "ok"
    parts.append("<h2>Customer</h2>")
    parts.append(f'<p class="{css}" id="customer-check">{escape(check.message)}</p>')
    parts.append('<label for="customer_code">Unleashed customer code</label>')
    parts.append(
        f'<input id="customer_code" name="customer_code" required maxlength="50" value="{escape(check.code or "")}">'
    )
    pickers = view.pickers
    parts.append("<h2>Order</h2>")
    parts.append('<label for="tax_code">Tax</label>')
    parts.append(
        f'<select id="tax_code" name="tax_code">{_options([(t.code, f"{t.description} ({t.rate * 100:.2f}%)") for t in pickers.taxes], view.default_tax, "(none)")}</select>'
    )
    parts.append('<label for="salesperson_guid">Salesperson</label>')
    parts.append(
        f'<select id="salesperson_guid" name="salesperson_guid">{_options([(p.guid, p.name) for p in pickers.salespersons], view.default_salesperson, "(the customer's)")}</select>'
    )
    parts.append('<label for="sales_order_group">Sales order group</label>')
    parts.append(
        f'<select id="sales_order_group" name="sales_order_group">{_options([(g, g) for g in pickers.sales_order_groups], None, "(none)")}</select>'
    )
    parts.append('<label for="delivery_method">Delivery method</label>')
    parts.append(
        f'<select id="delivery_method" name="delivery_method">{_options([(m, m) for m in pickers.delivery_methods], None, "(none)")}</select>'
    )
    account = opp.account
    ship = account.shipping if account else None
    fields = [
        ("delivery_name", "Delivery name", account.name if account else ""),
        ("delivery_street", "Street", ship.street if ship else ""),
        ("delivery_city", "City", ship.city if ship else ""),
        ("delivery_region", "Region", ship.region if ship else ""),
        ("delivery_postal_code", "Postcode", ship.postal_code if ship else ""),
        ("delivery_country", "Country", ship.country if ship else ""),
    ]
    parts.append("<h2>Delivery</h2>")
    for name, label, value in fields:
        parts.append(
            f'<label for="{name}">{label}</label><input id="{name}" name="{name}" value="{escape(value or "")}">'
        )
    parts.append(
        '<label for="required_date">Required date</label><input type="date" id="required_date" name="required_date">'
    )
    parts.append(
        '<label for="comments">Comments</label><textarea id="comments" name="comments" maxlength="2048" rows="3"></textarea>'
    )
    disabled = " disabled" if view.refusals or view.switched_off else ""
    parts.append(f'<button type="submit" id="send"{disabled}>Send to Unleashed</button></form>')
    return _doc(f"Send to Unleashed: {opp.name}", "".join(parts), SCRIPT)


def progress(job_id: str, signed_request: str) -> str:
    script = (
        "var jobId=" + _js(job_id) + ",signed=" + _js(signed_request) + ";"
        "function poll(){var b=new URLSearchParams({signed_request:signed,action:'status',job_id:jobId});"
        "fetch(location.href,{method:'POST',body:b}).then(function(r){return r.json();}).then(function(s){"
        "var el=document.getElementById('progress');"
        "if(s.status==='done'){el.className='ok';el.textContent='Sent: Unleashed sales order '+s.order_number+' ('+(s.order_status||'')+').';}"
        "else if(s.status==='failed'){el.className='refusal';el.textContent='Not sent: '+s.error+' Fix it, then open Send to Unleashed again.';}"
        "else if(s.status==='held'){el.textContent='Waiting: the Unleashed API quota for this month is used up; the order will be sent when it resets.';}"
        "else{setTimeout(poll,1000);}}).catch(function(){setTimeout(poll,2000);});}"
        "document.addEventListener('DOMContentLoaded',poll);"
    )
    body = '<h1>Send to Unleashed</h1><p id="progress" role="status" aria-live="polite">Sending the order to Unleashed...</p>'
    return _doc("Sending to Unleashed", body, script)


def _js(text: str) -> str:
    """A JavaScript string literal safe inside <script> (no closing tag can be smuggled)."""
    import json

    return json.dumps(text).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
