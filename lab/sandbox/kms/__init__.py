"""Sandbox extension: KMS key operations that take a key ARN, as the API reference says.

``DisableKey``, ``EnableKey``, ``CancelKeyDeletion`` and ``ScheduleKeyDeletion`` take a key
id **or key ARN** (KMS API reference, ``KeyId``: "Specify the key ID or key ARN of the KMS
key"). moto 5.2.5's backend looks the value up as a raw id, so a key ARN raised ``KeyError``
(HTTP 500). Each seam gives moto's method the raw id; moto's responses have already refused
a key that does not exist.

``AWS::KMS::Key`` in a template gives its ``Tags`` as ``Key``/``Value`` (CloudFormation's
Tag type); moto 5.2.5's CloudFormation handler hands them to ``create_key``, whose tagger
expects the API's ``TagKey``/``TagValue`` and failed the resource with ``KeyError: 'TagKey'``.
The ``create_key`` seam accepts both spellings.
"""

from __future__ import annotations

import functools

#: Backend methods that index ``self.keys[key_id]`` without normalising ``key_id``.
BY_RAW_ID = ("disable_key", "enable_key", "cancel_key_deletion", "schedule_key_deletion")


def _with_raw_id(moto_method):
    @functools.wraps(moto_method)
    def method(self, key_id, *args, **kwargs):
        return moto_method(self, self.get_key_id(key_id), *args, **kwargs)

    return method


def _api_tags(tags):
    """Tags in the KMS API's spelling (``TagKey``/``TagValue``), from either spelling."""
    return [
        {"TagKey": t.get("TagKey", t.get("Key")), "TagValue": t.get("TagValue", t.get("Value"))}
        for t in tags or []
    ]


def _with_api_tags(moto_create_key):
    @functools.wraps(moto_create_key)
    def create_key(self, policy, key_usage, key_spec, description, tags, *args, **kwargs):
        return moto_create_key(
            self, policy, key_usage, key_spec, description, _api_tags(tags), *args, **kwargs
        )

    return create_key


def seams():
    """One ``wrap`` seam per backend method in :data:`BY_RAW_ID`, and ``create_key``'s."""
    from lab.sandbox.seams import Seam

    tags = Seam(
        __name__,
        "moto.kms.models:KmsBackend.create_key",
        _with_api_tags,
        "moto's CloudFormation handler passes a template's Key/Value tags to a tagger that "
        "wants TagKey/TagValue, so an AWS::KMS::Key with Tags fails",
        "tests/contracts/test_moto_kms.py::test_create_key_takes_the_apis_tag_spelling_only",
        kind="wrap",
    )
    return (tags,) + tuple(
        Seam(
            __name__,
            f"moto.kms.models:KmsBackend.{name}",
            _with_raw_id,
            "moto indexes its keys by the raw id, so a key ARN fails with HTTP 500",
            "tests/contracts/test_moto_kms.py::test_these_backend_methods_index_keys_by_raw_id",
            kind="wrap",
        )
        for name in BY_RAW_ID
    )
