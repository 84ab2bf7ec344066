"""The command line on Bedrock recordings: it knows the dialect only through the registry."""

from __future__ import annotations

import json

from tests.cli_helpers import run_all
from tests.helpers import REPO

RECORDINGS = REPO / "recordings" / "bedrock"


def test_inspect_and_fold_read_a_bedrock_recording() -> None:
    inspect, folded, replayed = run_all(
        ["inspect", "--json", RECORDINGS / "invoke-anthropic.ndjson"],
        ["fold", RECORDINGS / "tool-use.ndjson"],
        ["replay", "--speed", "0", "--events", RECORDINGS / "text-answer.ndjson"],
    )
    for result in (inspect, folded, replayed):
        assert result.returncode == 0, result.stderr.decode()
    report = json.loads(inspect.stdout)
    assert report["dialect"] == "bedrock"
    assert report["text_chars"] == 147  # the answer text, read through the common face
    assert report["first_text_s"] is not None
    fold = json.loads(folded.stdout)
    assert fold["outcome"]["kind"] == "requires_action"
    assert fold["result"]["output"]["message"]["content"][1]["toolUse"]["name"] == "get_cities_list"
    events = [json.loads(line) for line in replayed.stdout.splitlines()]
    assert len(events) == 174
