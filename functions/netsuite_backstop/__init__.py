"""Scheduled: finds NetSuite order changes whose user event was missed; releases held jobs."""
