"""NetSuite: typed records (models.py) and the REST client owning every wire detail (client.py)."""
