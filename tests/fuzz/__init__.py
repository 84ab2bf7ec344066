"""Fuzz harness: invariants of every component on hostile input (see docs/reliability.md)."""
