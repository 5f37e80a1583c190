"""Synthetic demo data for Dianxiaoer: catalog, shopper history and offers.

Everything in this package is invented for the demo; no real shop, brand or
customer is described. The data is deterministic (seeded) so that tests and
screenshots are reproducible.
"""
