"""Unleashed: the signed REST client (client.py) and the order push's account (account.py)."""
