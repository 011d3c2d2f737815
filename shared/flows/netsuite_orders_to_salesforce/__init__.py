"""NetSuite sales orders -> Salesforce opportunities (seed 002): the decisions and the mapping.

Pure domain code: no boto3, httpx or simple-salesforce. `decide` says whether an order
version syncs, `lines` turns NetSuite item lines (with discount, subtotal and description
items) into opportunity lines, `plan` builds the one all-or-nothing Salesforce write per
order, and `service` runs a batch of queued orders over the ports.
"""
