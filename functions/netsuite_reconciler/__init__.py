"""Scheduled (daily) and on demand: closes opportunities of orders deleted in NetSuite whose
delete event was missed."""
