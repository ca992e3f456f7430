"""KMS operations take a key ARN where the API reference says "key ID or key ARN"."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("by", ["KeyId", "Arn"])
def test_key_state_changes_take_the_key_id_or_its_arn(aws, by):
    kms = aws("kms")
    key = kms.create_key()["KeyMetadata"]

    kms.disable_key(KeyId=key[by])
    kms.enable_key(KeyId=key[by])
    kms.schedule_key_deletion(KeyId=key[by], PendingWindowInDays=7)
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    kms.cancel_key_deletion(KeyId=key[by])

    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"
