"""Sandbox extension: apigateway (being written)."""


def apply() -> None:
    """Patch moto for this service. Idempotent."""
