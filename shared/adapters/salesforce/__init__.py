"""Salesforce: the connection, error translation, and one adapter per port it serves."""
