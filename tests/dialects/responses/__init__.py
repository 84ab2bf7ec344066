"""Tests of the OpenAI Responses API dialect (``streamkit.dialects.responses``)."""
