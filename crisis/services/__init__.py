"""Crisis services: the scan on every youth message, alerts, supervision, the lexicon."""
