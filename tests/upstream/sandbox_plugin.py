"""pytest plugin: moto's own tests with the sandbox's extensions applied in-process.

``python -m pytest -p sandbox_plugin ...`` (this directory on ``PYTHONPATH``) applies
every extension before moto's tests import anything, exactly as the sandbox server and
the lab's in-process fixtures do, so moto's suite runs against the patched moto.
"""

from __future__ import annotations


def pytest_configure(config) -> None:
    try:
        from lab.sandbox import seams
    except ImportError:
        seams = None
    install = getattr(seams, "install", None)
    if install is not None:
        install()
        _without_role_evaluation()
    else:
        from lab.sandbox import extensions

        extensions.apply_all()


def _without_role_evaluation() -> None:
    """moto's tests name execution roles that do not exist (``arn:aws:iam::…:role/unknown_sf_role``)
    and EventBridge targets without roles: AWS refuses every one of them, and so does the
    sandbox's role evaluation (``lab.sandbox.roles``). It is off here so that moto's tests
    keep guarding everything else; the sandbox's own tests cover the roles."""
    try:
        from lab.sandbox import control
    except ImportError:
        return
    if "iam_evaluation" in control.settings():
        control.update_settings({"iam_evaluation": False})
