"""Sage Intacct through its XML gateway (Web Services): one client, `client.IntacctClient`."""
