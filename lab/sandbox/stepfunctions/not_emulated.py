"""Step Functions actions moto 5.2.5 does not implement, answered in words.

moto answered each with HTTP 500 and an HTML page ("The get_activity_task action has not
been implemented" in the server's log only). The sandbox answers a ``ValidationException``
whose message starts "not emulated by the sandbox: <Action>" and says why, (RedriveExecution is
:mod:`.redrive`).
"""

from __future__ import annotations

#: Action -> (handler name, why it is not emulated).
ACTIONS = {
    "GetActivityTask": (
        "get_activity_task",
        "activity tasks are not handed to workers (a state using an activity fails with "
        "'not emulated by the sandbox: activity tasks')",
    ),
    "PublishStateMachineVersion": ("publish_state_machine_version", "state machine versions"),
    "ListStateMachineVersions": ("list_state_machine_versions", "state machine versions"),
    "DeleteStateMachineVersion": ("delete_state_machine_version", "state machine versions"),
}


def message(action: str) -> str:
    """The refusal's text for ``action``."""
    return f"not emulated by the sandbox: {action} ({ACTIONS[action][1]})"


def _handler(action: str):
    def handler(self):
        from moto.stepfunctions.exceptions import ValidationException

        raise ValidationException(message(action))

    handler.__name__ = ACTIONS[action][0]
    handler.__doc__ = f"StepFunctionResponse.{ACTIONS[action][0]}: {message(action)}."
    return handler


#: The handlers (one object each: the registry checks the installed value is the seam's).
HANDLERS = {action: _handler(action) for action in ACTIONS}


def seams():
    """One ``add`` seam per action moto does not implement (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.seams import Seam

    return tuple(
        Seam(
            __name__,
            f"moto.stepfunctions.responses:StepFunctionResponse.{name}",
            HANDLERS[action],
            f"moto does not implement {action} (HTTP 500)",
            "tests/contracts/test_moto_variables.py::"
            "test_moto_implements_none_of_the_actions_answered_as_not_emulated",
            kind="add",
        )
        for action, (name, _why) in ACTIONS.items()
    )
