"""Contracts and behaviour: SQS refuses a queue name deleted less than 60 s ago.

botocore's SQS model lists ``QueueDeletedRecently`` among CreateQueue's errors ("You must
wait 60 seconds after deleting a queue before you can create another queue with the same
name"); the SQS query API's code is ``AWS.SimpleQueueService.QueueDeletedRecently``.
lab/sandbox/sqs/models.py wraps ``SQSBackend.create_queue``/``delete_queue``.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from lab.sandbox import seams


def _sqs():
    return boto3.client("sqs", region_name="us-east-1", aws_access_key_id="x",
                        aws_secret_access_key="x")


def test_moto_reuses_a_deleted_name_at_once():
    """moto's own create_queue/delete_queue: (name, tags, **kwargs) and (queue_name).
    When moto refuses a recently deleted name itself, drop lab/sandbox/sqs."""
    from moto.sqs.models import sqs_backends

    create = seams.original("moto.sqs.models:SQSBackend.create_queue")
    delete = seams.original("moto.sqs.models:SQSBackend.delete_queue")
    with mock_aws():
        backend = sqs_backends["123456789012"]["us-east-1"]
        create(backend, "q", None)
        delete(backend, "q")
        assert create(backend, "q", None).name == "q"


@pytest.fixture
def sqs(monkeypatch):
    monkeypatch.delenv("LAB_SANDBOX_QUEUE_NAME_REUSE_SECONDS", raising=False)
    seams.install("lab.sandbox.sqs")
    with mock_aws():
        yield _sqs()


def test_a_name_deleted_a_moment_ago_is_refused_as_sqs_refuses_it(sqs):
    url = sqs.create_queue(QueueName="lab-dlq")["QueueUrl"]
    sqs.delete_queue(QueueUrl=url)

    with pytest.raises(ClientError) as refused:
        sqs.create_queue(QueueName="lab-dlq")

    error = refused.value.response["Error"]
    assert error["Code"] == "AWS.SimpleQueueService.QueueDeletedRecently"
    assert "60 seconds" in error["Message"]


def test_a_name_is_free_again_after_the_wait_and_other_names_at_once(sqs, monkeypatch):
    url = sqs.create_queue(QueueName="lab-dlq")["QueueUrl"]
    sqs.delete_queue(QueueUrl=url)
    assert sqs.create_queue(QueueName="another-dlq")["QueueUrl"]

    monkeypatch.setenv("LAB_SANDBOX_QUEUE_NAME_REUSE_SECONDS", "0")
    assert sqs.create_queue(QueueName="lab-dlq")["QueueUrl"]
