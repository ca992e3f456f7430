"""API Gateway mapping templates (VTL) the stack deploys, one file each.

They are read at synth time into the template, so the sandbox's data plane renders
exactly what API Gateway renders on AWS.

Imports: nothing of the lab's; ``cdk_app``'s constructs read it.
"""

from __future__ import annotations

from importlib import resources


def mapping_template(name: str) -> str:
    """The text of ``<name>.vtl`` in this package."""
    return resources.files(__package__).joinpath(f"{name}.vtl").read_text(encoding="utf-8")
