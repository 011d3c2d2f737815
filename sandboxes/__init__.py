"""Local stand-ins for the outside systems salesbridge talks to.

Development tooling only: never shipped to Lambda. Each sandbox is an HTTPS server on
loopback with in-memory state, an admin API (seed, inspect, reset, inject faults) and a
request log that benchmarks read to count API calls.
"""
