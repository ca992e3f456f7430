"""Contract: what ``lab.sandbox.input_rules`` relies on in moto 5.2.5.

The seam wraps ``BaseResponse.call_action``; it can go when moto validates requests against
their botocore shapes itself (it checks a few members by hand today).
"""

from __future__ import annotations

import inspect

from lab.sandbox import input_rules


def test_call_action_is_where_every_service_request_passes():
    """``_dispatch`` sets the request up, then calls ``call_action``; every checked service's
    response class dispatches through it (none overrides ``call_action`` or ``_dispatch``)."""
    from moto.backends import get_backend  # noqa: F401  (moto's service registry loads)
    from moto.core.responses import BaseResponse

    from lab.sandbox import seams

    dispatch = inspect.getsource(BaseResponse._dispatch)
    assert "self.setup_class(" in dispatch and "return self.call_action()" in dispatch
    original = seams.original("moto.core.responses:BaseResponse.call_action")
    assert "self._get_action()" in inspect.getsource(original)
    for cls in _response_classes():
        assert "call_action" not in vars(cls), cls
        assert "_dispatch" not in vars(cls), cls


def _response_classes():
    import importlib

    modules = {
        "events": "moto.events.responses",
        "stepfunctions": "moto.stepfunctions.responses",
        "kms": "moto.kms.responses",
        "logs": "moto.logs.responses",
        "cloudformation": "moto.cloudformation.responses",
        "iam": "moto.iam.responses",
        "apigateway": "moto.apigateway.responses",
    }
    assert set(modules) == set(input_rules.SERVICES)
    from moto.core.responses import BaseResponse

    for module_name in modules.values():
        module = importlib.import_module(module_name)
        found = [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, BaseResponse)
            and value.__module__ == module_name
        ]
        assert found, module_name
        yield from found


def test_the_members_the_check_reads_after_setup_class():
    """``answer`` reads what ``setup_class`` sets and calls moto's own error serializer."""
    from moto.core.responses import ActionResult, BaseResponse

    setup = inspect.getsource(BaseResponse.setup_class)
    for member in ("self.body", "self.querystring", "self.method", "self.path", "self.headers"):
        assert member in setup, member
    assert "self.uri_match" in setup
    for name in ("serialized", "_transform_response", "_enrich_response", "boto3_service_name"):
        assert hasattr(BaseResponse, name), name
    assert "result" in inspect.signature(ActionResult).parameters


def test_moto_has_a_request_parser_for_each_checked_protocol():
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.utils import get_service_model

    for service in input_rules.SERVICES:
        protocol = get_service_model(service).protocol
        assert protocol == "json" or protocol in PROTOCOL_PARSERS, (service, protocol)


def test_moto_does_not_look_up_an_error_model_for_a_class_outside_moto():
    """The refusal's error class lives in ``lab``: moto then serializes its code as given."""
    from moto.core.errors import get_exception_service_model

    assert get_exception_service_model(input_rules._error_class()("C", "m")) is None
