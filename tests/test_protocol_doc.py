"""docs/protocol.md must document every frame type that protocol/frames.py defines."""

from __future__ import annotations

import re
from pathlib import Path

from protocol.frames import client_frame_types, server_frame_types

DOC = (Path(__file__).resolve().parent.parent / "docs" / "protocol.md").read_text()
DOCUMENTED = set(re.findall(r'"type": "([a-z_.]+)"', DOC))


def test_every_client_frame_is_documented():
    assert set(client_frame_types()) - DOCUMENTED == set()


def test_every_server_frame_is_documented():
    assert set(server_frame_types()) - DOCUMENTED == set()


def test_the_doc_names_no_frame_that_does_not_exist():
    assert DOCUMENTED - set(client_frame_types()) - set(server_frame_types()) == set()
