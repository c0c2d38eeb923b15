"""The wire protocol's frames, defined once (see docs/protocol.md)."""
