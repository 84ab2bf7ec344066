"""Reliability: the bad-input catalogue, faults, load and soak (see docs/reliability.md)."""
