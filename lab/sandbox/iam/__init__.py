"""The sandbox's opt-in IAM evaluation of callers (:mod:`lab.sandbox.iam.enforcement`).

Imports: ``settings`` and ``seams``; ``cloudformation.stacks`` imports ``enforcement``. The
setting ``enforce_iam`` switches moto's request checks through :func:`finish`'s hook.
"""

from __future__ import annotations


def finish() -> None:
    """Follow the setting ``enforce_iam`` (also when the environment turned it on)."""
    from lab.sandbox import settings
    from lab.sandbox.iam import enforcement

    settings.on_change("enforce_iam", enforcement.apply)
    if settings.get_setting("enforce_iam"):
        enforcement.apply(True)


def seams():
    """The IAM seams (see :mod:`lab.sandbox.seams`)."""
    from lab.sandbox.iam import enforcement
    from lab.sandbox.seams import Seam

    return (
        Seam(
            enforcement.__name__,
            "moto.iam.access_control:IAMRequestBase.check_action_permitted",
            enforcement.wrap_check_action_permitted,
            "moto evaluates the operation's name (sqs:DeleteMessageBatch, monitoring:...) "
            "instead of the IAM action AWS evaluates, and no dependent actions",
            "tests/contracts/test_moto_iam.py::test_check_action_permitted_reads_the_action_and_raises",
            kind="wrap",
        ),
        Seam(
            enforcement.__name__,
            "moto.iam.access_control:IAMRequestBase.check_signature",
            enforcement.wrap_check_signature,
            "moto hashes the parameters it parsed as the payload of a request without a "
            "body, so such a request never matches what the SDK signed",
            "tests/contracts/test_moto_iam.py::test_the_signature_is_checked_over_body_or_data",
            kind="wrap",
        ),
        Seam(
            enforcement.__name__,
            "moto.iam.access_control:IAMRequestBase.__init__",
            enforcement.wrap_request_init,
            "moto answers an unknown access key in XML even to JSON-protocol services, "
            "which botocore then reads as a bare 403",
            "tests/contracts/test_moto_iam.py::test_an_unknown_key_fails_in_the_request_constructor",
            kind="wrap",
        ),
    )
