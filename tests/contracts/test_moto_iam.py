"""Contracts: what lab/sandbox/iam/enforcement.py relies on in moto 5.2.5's access control.

The wrappers read ``IAMRequestBase``'s ``_action`` (``"<signing name>:<Operation>"``),
``_method``, ``_data``/``_body`` and ``_access_key`` (``arn``, ``collect_policies()``), set
``_action`` before moto's check so moto's denial names IAM's action, and rely on moto
switching evaluation on through ``settings.INITIAL_NO_AUTH_ACTION_COUNT`` read at call
time. When one of these fails after a moto upgrade, read ``moto/iam/access_control.py``
and ``moto/core/authorization.py`` again.
"""

from __future__ import annotations

import inspect

import pytest

from lab.sandbox import seams


@pytest.fixture(scope="module", autouse=True)
def installed():
    seams.install()


def _original(name: str):
    return seams.original(f"moto.iam.access_control:IAMRequestBase.{name}")


def test_check_action_permitted_reads_the_action_and_raises():
    from moto.iam.access_control import IAMRequest

    source = inspect.getsource(_original("check_action_permitted"))
    assert "self._action" in source and "collect_policies()" in source
    assert "self._raise_access_denied()" in source
    assert list(inspect.signature(_original("check_action_permitted")).parameters) == [
        "self",
        "resource",
    ]
    # moto's denial names whatever _action holds when it raises.
    assert "action=self._action" in inspect.getsource(IAMRequest._raise_access_denied)


def test_an_unknown_key_fails_in_the_request_constructor():
    source = inspect.getsource(_original("__init__"))
    assert "self._raise_invalid_access_key" in source
    assert "self._service = credential_data[3]" in source
    assert "self._method = method" in source and "self._data = data" in source
    assert "self._body = body" in source
    assert "headers" in inspect.signature(_original("__init__")).parameters


def test_moto_reads_the_no_auth_count_at_call_time():
    from moto.core.authorization import ActionAuthenticatorMixin

    source = inspect.getsource(ActionAuthenticatorMixin._authenticate_and_authorize_action)
    assert "settings.INITIAL_NO_AUTH_ACTION_COUNT" in source
    assert "iam_request.check_action_permitted(resource)" in source


def test_the_signature_is_checked_over_body_or_data():
    from moto.iam.access_control import IAMRequestBase

    assert "self._calculate_signature()" in inspect.getsource(_original("check_signature"))
    assert "data=self._body or self._data" in inspect.getsource(
        IAMRequestBase._create_aws_request
    )
