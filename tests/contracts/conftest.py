"""Contract tests pin moto's behaviour, not the sandbox's IAM: the roles they name do not
exist, so the sandbox's role evaluation (on by default, as on AWS) is off here."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def without_role_evaluation():
    from lab.sandbox import control

    control.update_settings({"iam_evaluation": False})
    yield
    control.reset_settings()
