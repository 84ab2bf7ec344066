"""Tests of the Anthropic Messages dialect (``streamkit.dialects.anthropic``)."""
