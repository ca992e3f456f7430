"""Contract: the moto seams ``lab.sandbox.stepfunctions.limits`` relies on (moto 5.2.5)."""

from __future__ import annotations

import inspect

from lab.sandbox.stepfunctions import limits


def test_the_wrapped_response_handlers_read_their_members_with_get_param():
    from lab.sandbox import seams

    for name in limits.WRAPPED:
        handler = seams.original(f"moto.stepfunctions.responses:StepFunctionResponse.{name}")
        source = inspect.getsource(handler)
        for member, _ in limits.LIMITS[name]:
            assert f'self._get_param("{member}"' in source, (name, member)


def test_moto_already_fails_a_state_whose_output_is_over_256_kib():
    from moto.stepfunctions.parser import quotas

    assert quotas.MAX_STATE_SIZE_UTF8_BYTES == limits.MAX_PAYLOAD_BYTES


def test_moto_raises_validation_exception_with_the_message_given():
    from moto.stepfunctions.exceptions import ValidationException

    error = ValidationException("text")

    assert (error.code, error.message, error.TYPE) == (400, "text", "ValidationException")
