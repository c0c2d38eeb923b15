"""In-process tests share the domain tests' guard: no live-view timer thread reads the database."""

from tests.domain.conftest import live_views  # noqa: F401 - an autouse fixture, imported to apply here too
