"""Chat domain services: `check_*` validates and refuses, `do_*` writes and emits the events."""
