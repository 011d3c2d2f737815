"""The console's HTML: server-rendered, one small stylesheet, a few lines of JavaScript.

Everything shown is escaped (`html.escape`); every form carries the session's CSRF token;
controls have labels, tables captions and header scopes, focus is visible and text keeps a
contrast of at least 4.5:1 (checked with axe-core by tests/e2e/test_console.py).
"""

from __future__ import annotations

import contextlib
import json
from html import escape
from typing import Any
from urllib.parse import urlencode

from shared.console.models import (
    AuditEntry,
    FlowOverview,
    HoldView,
    JobPage,
    JobView,
    Overview,
    Principal,
)
from shared.jobs import JobStatus

STYLE = """
:root{font-family:system-ui,sans-serif;color:#1b1b1b;background:#fff;line-height:1.45}
body{margin:0}header{background:#0b3d66;color:#fff;padding:.6rem 1rem;display:flex;
gap:1.2rem;align-items:center;flex-wrap:wrap}header a{color:#fff}
header .who{margin-left:auto}main{padding:1rem;max-width:72rem}
a{color:#0a4f8a}a:focus,button:focus,input:focus,select:focus{outline:3px solid #c25100;
outline-offset:2px}.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;
background:#fff;color:#0a4f8a;padding:.3rem}
table{border-collapse:collapse;margin:.5rem 0 1.2rem}th,td{border:1px solid #8a8a8a;
padding:.25rem .5rem;text-align:left;vertical-align:top}caption{text-align:left;font-weight:600}
.bad{color:#a4000f;font-weight:600}.ok{color:#1e6b2a;font-weight:600}
button{background:#0b3d66;color:#fff;border:0;padding:.35rem .8rem;border-radius:3px;
cursor:pointer}button.secondary{background:#444}
form.inline{display:inline}pre{background:#f3f3f3;padding:.6rem;overflow:auto;
max-height:24rem;white-space:pre-wrap}.filters label{margin-right:.4rem}
.notice{border-left:4px solid #c25100;padding:.4rem .8rem;background:#fff4e5}
"""

# Buttons post with the CSRF token of the form; a confirm() keeps a stray keypress from acting.
SCRIPT = """
document.querySelectorAll('form[data-confirm]').forEach(function (form) {
  form.addEventListener('submit', function (event) {
    if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });
});
"""


def page(title: str, body: str, who: Principal | None, csrf: str = "", base: str = "") -> str:
    nav = ""
    if who is not None:
        sign_out = _form(base, "/console/sign-out", csrf, "Sign out", {}, secondary=True)
        nav = (
            f'<nav aria-label="Console"><a href="{base}/console">Overview</a> · '
            f'<a href="{base}/console/jobs">Jobs</a> · <a href="{base}/console/audit">'
            f'Audit log</a></nav><span class="who">{escape(who.display_name or who.username)}'
            f" ({escape(who.role.value)})</span>{sign_out}"
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · salesbridge console</title><style>{STYLE}</style></head>"
        f'<body><a class="skip" href="#main">Skip to content</a><header>'
        f"<strong>salesbridge</strong>{nav}</header>"
        f'<main id="main"><h1>{escape(title)}</h1>{body}</main>'
        f"<script>{SCRIPT}</script></body></html>"
    )


def sign_in_page(base: str, reason: str = "") -> str:
    why = f'<p class="notice" role="alert">{escape(reason)}</p>' if reason else ""
    body = (
        f"{why}<p>The console shows what salesbridge is doing. Sign in with your "
        "Salesforce user: the <em>Salesbridge_Operator</em> permission set lets you act, "
        "<em>Salesbridge_Viewer</em> lets you look.</p>"
        f'<p><a id="sign-in" href="{base}/console/auth/start">Sign in with Salesforce</a></p>'
    )
    return page("Sign in", body, None)


def error_page(status: int, message: str, who: Principal | None, base: str) -> str:
    body = f'<p class="notice" role="alert">{escape(message)}</p>'
    body += f'<p><a href="{base}/console">Back to the overview</a></p>'
    return page(f"Not done ({status})", body, who, base=base)


def overview_page(view: Overview, who: Principal, csrf: str, base: str) -> str:
    parts = [f"<p>As of {escape(view.generated_at)} (UTC).</p>", _hold(view.hold, who, csrf, base)]
    for flow in view.flows:
        parts.append(_flow(flow, who, csrf, base))
    return page("Overview", "".join(parts), who, csrf, base)


def _hold(hold: HoldView | None, who: Principal, csrf: str, base: str) -> str:
    if hold is None or not hold.active:
        lifted = f" (last hold lifted {escape(hold.lifted_at)})" if hold and hold.lifted_at else ""
        return f'<h2>Salesforce API budget</h2><p class="ok">Not held{lifted}.</p>'
    action = (
        _form(base, "/console/actions/lift-hold", csrf, "Lift the hold", {},
              confirm="Lift the hold now? Held jobs go out at the next backstop run.")
        if who.may_act else ""
    )  # fmt: skip
    return (
        '<h2>Salesforce API budget</h2><p class="bad" id="hold">Held since '
        f"{escape(hold.since)} until {escape(hold.until)}: {escape(hold.reason)}</p>{action}"
    )


def _flow(flow: FlowOverview, who: Principal, csrf: str, base: str) -> str:
    state = (
        '<span class="ok">on</span>' if flow.enabled else '<span class="bad">off</span>'
        if flow.enabled is False else "unknown"
    )  # fmt: skip
    settings = (
        '<span class="ok">valid</span>'
        if flow.settings_valid
        else '<span class="bad">invalid</span>: ' + escape("; ".join(flow.settings_problems))
    )
    rows = "".join(
        f'<tr><th scope="row"><a href="{base}/console/jobs?{_q(flow=flow.name, status=s)}">'
        f"{escape(s)}</a></th><td>{c.hour}</td><td>{c.day}</td><td>{c.week}</td>"
        f"<td>{'' if c.total is None else c.total}</td></tr>"
        for s, c in flow.counts.items()
    )
    dlqs = ""
    for queue, depth in flow.dead_letters.items():
        redrive = (
            _form(base, "/console/actions/redrive", csrf, f"Redrive {queue}", {"queue": queue},
                  confirm=f"Move every message of {queue}'s DLQ back to it?")
            if who.may_act and depth else ""
        )  # fmt: skip
        shown = "unknown" if depth is None else str(depth)
        dlqs += f"<li>{escape(queue)} dead letters: <strong>{shown}</strong> {redrive}</li>"
    return (
        f'<section aria-labelledby="flow-{escape(flow.name)}"><h2 id="flow-{escape(flow.name)}">'
        f"{escape(flow.title)}</h2><ul><li>Flow: {state}</li><li>Settings: {settings}</li>"
        f"<li>Last success: {escape(flow.last_success or 'none')}</li>"
        f"<li>Oldest waiting job: {escape(flow.oldest_waiting or 'none')}</li>{dlqs}</ul>"
        f"<table><caption>Jobs of {escape(flow.name)} by status</caption><thead><tr>"
        '<th scope="col">status</th><th scope="col">this hour</th><th scope="col">today (UTC)'
        '</th><th scope="col">7 days</th><th scope="col">now</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></section>"
    )


def jobs_page(
    result: JobPage, filters: dict[str, str], flows: list[str], who: Principal, csrf: str, base: str
) -> str:
    flow_options = _options(["", *flows], filters.get("flow", ""), "any flow")
    status_options = _options(["", *[s.value for s in JobStatus]], filters.get("status", ""),
                              "any status")  # fmt: skip
    form = (
        f'<form class="filters" method="get" action="{base}/console/jobs" role="search">'
        f'<label for="flow">Flow</label><select id="flow" name="flow">{flow_options}</select> '
        f'<label for="status">Status</label><select id="status" name="status">'
        f"{status_options}</select> "
        '<label for="recordKey">Record key</label><input id="recordKey" name="recordKey" '
        f'value="{escape(filters.get("recordKey", ""))}" placeholder="salesorder:1002"> '
        "<button type=submit>Find</button></form>"
    )
    rows = "".join(
        f'<tr><td><a href="{base}/console/job?{_q(id=job.job_id)}">{escape(job.record_key)}</a>'
        f"</td><td>{escape(job.flow or '')}</td><td>{escape(job.status.value)}</td>"
        f"<td>{escape(job.updated_at)}</td><td>{job.attempt_count}</td>"
        f"<td>{escape((job.last_error or '')[:140])}</td></tr>"
        for job in result.jobs
    )
    table = (
        '<table id="jobs"><caption>Jobs, newest first</caption><thead><tr>'
        '<th scope="col">record</th><th scope="col">flow</th><th scope="col">status</th>'
        '<th scope="col">updated</th><th scope="col">attempts</th><th scope="col">reason</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
        if result.jobs
        else "<p>No job matches.</p>"
    )
    more = ""
    if result.next_before:
        older = _q(**filters, before=result.next_before)
        more = f'<p><a href="{base}/console/jobs?{older}">Older jobs</a></p>'
    replay = ""
    status = filters.get("status", "")
    if who.may_act and result.jobs and status in ("failed", "held", "received", "queued"):
        fields = {k: v for k, v in filters.items() if k in ("flow", "status", "recordKey")}
        replay = _form(base, "/console/actions/replay-matching", csrf,
                       f"Replay every {status} job matching", fields,
                       confirm="Replay every job matching this filter?")  # fmt: skip
    return page("Jobs", form + table + more + replay, who, csrf, base)


def job_page(view: JobView, who: Principal, csrf: str, base: str) -> str:
    job = view.job
    facts = [
        ("Job", job.job_id),
        ("Flow", view.flow_title or job.flow or "unknown"),
        ("Record", job.record_key),
        ("Version", job.version),
        ("Status", job.status.value),
        ("Attempts", str(job.attempt_count)),
        ("Received", job.created_at),
        ("Updated", job.updated_at),
        ("Correlation id", job.correlation_id),
    ]
    if job.held_until:
        facts.append(("Held until", job.held_until))
    rows = "".join(
        f'<tr><th scope="row">{escape(k)}</th><td>{escape(v)}</td></tr>' for k, v in facts
    )
    body = f'<table id="facts"><caption>About this job</caption><tbody>{rows}</tbody></table>'
    if job.last_error:
        body += (
            f'<h2>Why it failed</h2><p class="bad" id="reason">{escape(job.last_error)}</p>'
            f'<h2>What to do</h2><p id="advice">{escape(view.advice or "")}</p>'
        )
    if who.may_act and job.message and job.status.value not in ("done", "skipped"):
        body += _form(base, "/console/actions/replay", csrf, "Retry this job",
                      {"jobId": job.job_id})  # fmt: skip
    attempts = "".join(
        f"<tr><td>{escape(a.at)}</td><td>{escape(a.status.value)}</td>"
        f"<td>{escape(a.error or '')}</td></tr>"
        for a in job.attempts
    )
    body += (
        "<h2>Attempts</h2><table><caption>The last attempts, oldest first</caption><thead><tr>"
        '<th scope="col">at</th><th scope="col">left it</th><th scope="col">error</th></tr>'
        f"</thead><tbody>{attempts}</tbody></table>"
    )
    if job.outcome:
        body += f"<h2>Outcome</h2><pre>{escape(json.dumps(job.outcome, indent=2))}</pre>"
    message = job.message or ""
    with contextlib.suppress(ValueError):  # shown as received when it is not JSON
        message = json.dumps(json.loads(message), indent=2)
    masked = " (e-mail addresses and phone numbers masked)" if view.masked else ""
    body += f"<h2>Message as received{masked}</h2><pre>{escape(message)}</pre>"
    return page(f"Job {job.record_key}", body, who, csrf, base)


def audit_page(entries: list[AuditEntry], who: Principal, csrf: str, base: str) -> str:
    rows = "".join(
        f"<tr><td>{escape(e.at)}</td><td>{escape(e.who)} ({escape(e.role)})</td>"
        f"<td>{escape(e.action)}</td><td>{escape(e.target)}</td>"
        f"<td>{escape(json.dumps(e.detail))}</td></tr>"
        for e in entries
    )
    body = (
        '<table id="audit"><caption>Operator actions, newest first</caption><thead><tr>'
        '<th scope="col">when</th><th scope="col">who</th><th scope="col">action</th>'
        '<th scope="col">target</th><th scope="col">detail</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    return page("Audit log", body, who, csrf, base)


def _form(
    base: str,
    action: str,
    csrf: str,
    label: str,
    fields: dict[str, Any],
    *,
    confirm: str = "",
    secondary: bool = False,
) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(str(v))}">'
        for k, v in fields.items()
    )
    ask = f' data-confirm="{escape(confirm)}"' if confirm else ""
    css = ' class="secondary"' if secondary else ""
    return (
        f'<form class="inline" method="post" action="{base}{action}"{ask}>'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">{hidden}'
        f"<button type=submit{css}>{escape(label)}</button></form>"
    )


def _options(values: list[str], chosen: str, empty: str) -> str:
    return "".join(
        f'<option value="{escape(v)}"{" selected" if v == chosen else ""}>'
        f"{escape(v or empty)}</option>"
        for v in values
    )


def _q(**params: str) -> str:
    return escape(urlencode({k: v for k, v in params.items() if v}))
