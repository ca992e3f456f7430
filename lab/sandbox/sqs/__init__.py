"""Sandbox extension: SQS refuses a queue name deleted less than 60 s ago, as AWS does.

Seams (:func:`seams`, installed by :mod:`lab.sandbox.seams`) on moto's ``SQSBackend``:

- ``delete_queue``: remembers when each name was deleted;
- ``create_queue``: refuses a name deleted less than
  :data:`~lab.sandbox.sqs.models.DELETED_RECENTLY_SECONDS` ago with
  ``AWS.SimpleQueueService.QueueDeletedRecently`` (botocore's SQS model, CreateQueue's
  errors; the API reference's DeleteQueue: "you must wait at least 60 seconds before
  creating a queue with the same name"). moto creates it again at once, so a quick
  destroy-and-deploy that fails on AWS passed the rehearsal.
"""

from __future__ import annotations

from lab.sandbox.seams import applier
from lab.sandbox.sqs import models

__all__ = ["apply", "seams"]


def seams():
    """The SQS seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    owner = models.__name__
    contract = "tests/contracts/test_moto_sqs_names.py::test_moto_reuses_a_deleted_name_at_once"
    backend = "moto.sqs.models:SQSBackend."
    return (
        Seam(owner, backend + "delete_queue", models.wrap_delete_queue,
             "moto forgets a deleted queue's name at once", contract, kind="wrap"),
        Seam(owner, backend + "create_queue", models.wrap_create_queue,
             "moto re-creates a queue name deleted a moment ago; SQS refuses it for 60 s",
             contract, kind="wrap"),
    )


apply = applier(__name__)
