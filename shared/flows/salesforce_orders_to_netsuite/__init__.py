"""Salesforce originated orders (seed 002): a Closed Won opportunity becomes a NetSuite order."""
