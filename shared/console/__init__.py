"""The operator console: what every declared flow is doing, its jobs, and the actions on them.

`service.Console` answers the pages and the JSON API over ports (`ports.py`); the session,
CSRF and roles are `session.py`; "Sign in with Salesforce" and Canvas are `sign_in.py`; the
HTML is `pages.py`; the routes are `api.py` (one Lambda, `ConsoleFunction`). Flows appear by
declaring themselves (`shared.flow`): the console has no code per flow.
"""
