"""Sandbox extension: events (being written)."""


def apply() -> None:
    """Patch moto for this service. Idempotent."""
