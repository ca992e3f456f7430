"""Sandbox extension: CloudFormation for every type the lab's template uses.

The unmodified synthesized template must reach CREATE_COMPLETE and
DELETE_COMPLETE, with every resource in its service's backend (where the
service's API reads it) and nothing left behind after deletion.

- Resource handlers live with their service where this extension owns the
  service (``lab.sandbox.apigateway.models``, ``lab.sandbox.secretsmanager.models``)
  and in ``models`` otherwise; ``base`` is what they share.
- ``parsing`` makes moto's template parser use them and resolve dynamic references.
- ``stacks`` reports a stack's life as CloudFormation does (resource events,
  rollbacks, DELETE_FAILED, "No updates are to be performed.").
- ``changesets`` answers CreateChangeSet/DescribeChangeSet/ExecuteChangeSet/
  DeleteChangeSet/ListChangeSets as AWS does (the CDK CLI deploys with them).

Its seams (:func:`seams`) are installed last by :mod:`lab.sandbox.seams`.
"""

from __future__ import annotations


def seams():
    """The template parser's and the stack life cycle's seams (defines the handlers too)."""
    from lab.sandbox.apigateway import models as apigateway_models  # noqa: F401
    from lab.sandbox.cloudformation import changesets, models, parsing, stacks  # noqa: F401
    from lab.sandbox.events import cloudformation as events_cloudformation  # noqa: F401
    from lab.sandbox.secretsmanager import models as secretsmanager_models  # noqa: F401

    return (*parsing.seams(), *stacks.seams(), *changesets.seams())


def finish() -> None:
    """moto caches its model lists: forget them, so the handlers defined here are seen."""
    from lab.sandbox.cloudformation import parsing

    parsing.clear_model_caches()


def apply() -> None:
    """Install this package's seams (idempotent)."""
    from lab.sandbox import seams

    seams.install(__name__)
