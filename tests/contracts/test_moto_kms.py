"""Contract: the moto seams ``lab.sandbox.kms`` relies on (moto 5.2.5)."""

from __future__ import annotations

import inspect

from lab.sandbox import kms, seams


def test_these_backend_methods_index_keys_by_raw_id():
    """If moto normalises the key id itself (``get_key_id``/``any_id_to_key_id``), the
    wrappers can go."""
    from moto.kms.models import KmsBackend

    for name in kms.BY_RAW_ID:
        source = inspect.getsource(seams.original(f"moto.kms.models:KmsBackend.{name}"))
        assert "self.keys[key_id]" in source, name
        assert "get_key_id" not in source and "any_id_to_key_id" not in source, name
    assert KmsBackend.get_key_id("arn:aws:kms:us-east-1:123456789012:key/k-1") == "k-1"


def test_create_key_takes_the_apis_tag_spelling_only():
    """If moto's key CloudFormation handler converts Key/Value tags itself (or its tagger
    accepts them), the create_key seam can go."""
    source = inspect.getsource(seams.original("moto.kms.models:KmsBackend.create_key"))
    assert "self.tagger.tag_resource(key.id, tags)" in source
    from moto.kms.models import Key

    handler = inspect.getsource(Key.create_from_cloudformation_json)
    assert 'tags=properties.get("Tags", [])' in handler
    from moto.kms.models import KmsBackend

    assert KmsBackend("us-east-1", "123456789012").tagger.key_name == "TagKey"
