"""Syncs queued NetSuite sales orders to Salesforce opportunities (seed 002)."""
