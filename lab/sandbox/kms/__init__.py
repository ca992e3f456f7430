"""Sandbox extension: KMS key operations that take a key ARN, as the API reference says.

``DisableKey``, ``EnableKey``, ``CancelKeyDeletion`` and ``ScheduleKeyDeletion`` take a key
id **or key ARN** (KMS API reference, ``KeyId``: "Specify the key ID or key ARN of the KMS
key"). moto 5.2.5's backend looks the value up as a raw id, so a key ARN raised ``KeyError``
(HTTP 500). Each seam gives moto's method the raw id; moto's responses have already refused
a key that does not exist.
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


def seams():
    """One ``wrap`` seam per backend method in :data:`BY_RAW_ID`."""
    from lab.sandbox.seams import Seam

    return tuple(
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
