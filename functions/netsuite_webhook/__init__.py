"""Receives NetSuite sales-order events from the SuiteScript user event script."""
