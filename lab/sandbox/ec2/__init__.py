"""Sandbox extension: ec2 (being written)."""


def apply() -> None:
    """Patch moto for this service. Idempotent."""
