"""Sandbox extension: CloudFormation for every type the lab's template uses.

The unmodified synthesized template must reach CREATE_COMPLETE and
DELETE_COMPLETE, with every resource in its service's backend (where the
service's API reads it) and nothing left behind after deletion.

- Resource handlers live with their service, in ``lab.sandbox.<service>.cloudformation``
  (``apigateway``, ``ec2``, ``events``, ``logs``, ``secretsmanager``, ``stepfunctions``,
  ``vpclattice``); ``base`` is what they share.
- ``parsing`` makes moto's template parser use them and resolve dynamic references.
- ``stacks`` reports a stack's life as CloudFormation does (resource events,
  rollbacks, DELETE_FAILED, "No updates are to be performed.").
- ``changesets`` answers CreateChangeSet/DescribeChangeSet/ExecuteChangeSet/
  DeleteChangeSet/ListChangeSets as AWS does (the CDK CLI deploys with them).

Its seams (:func:`seams`) are installed last by :mod:`lab.sandbox.seams`.

Imports: ``base`` imports nothing of the sandbox, and every service's ``cloudformation`` imports it;
``parsing`` imports ``secretsmanager.models`` (dynamic references), nothing here imports a service's
handlers by name (moto finds them as subclasses).
"""

from __future__ import annotations

from lab.sandbox.seams import applier

#: The services whose ``cloudformation`` module defines handlers for the template's types.
HANDLER_SERVICES = (
    "apigateway",
    "ec2",
    "events",
    "logs",
    "secretsmanager",
    "stepfunctions",
    "vpclattice",
)


def seams():
    """The template parser's and the stack life cycle's seams (defines the handlers too)."""
    import importlib

    from lab.sandbox.cloudformation import changesets, parsing, stacks

    for service in HANDLER_SERVICES:
        importlib.import_module(f"lab.sandbox.{service}.cloudformation")

    return (*parsing.seams(), *stacks.seams(), *changesets.seams())


def finish() -> None:
    """moto caches its model lists: forget them, so the handlers defined here are seen."""
    from lab.sandbox.cloudformation import parsing

    parsing.clear_model_caches()


apply = applier(__name__)
