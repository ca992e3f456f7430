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
    else:
        from lab.sandbox import extensions

        extensions.apply_all()
