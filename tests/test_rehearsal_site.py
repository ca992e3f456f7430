"""The aws-mode rehearsal's one substitution: ``*.vpce.amazonaws.com`` answered from the model.

``tests/rehearsal_site/sitecustomize.py`` is loaded only by ``make test-aws-rehearsal``;
these tests pin what it may and may not change.
"""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parent / "rehearsal_site" / "sitecustomize.py"
NAME = "vpce-0abc-xyz.execute-api.us-east-1.vpce.amazonaws.com"


def _load(monkeypatch, resolver: str | None):
    if resolver is None:
        monkeypatch.delenv("LAB_REHEARSAL_RESOLVER", raising=False)
    else:
        monkeypatch.setenv("LAB_REHEARSAL_RESOLVER", resolver)
    original = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", original)  # undone after the test
    spec = importlib.util.spec_from_file_location("rehearsal_sitecustomize", SITE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, original


def test_without_the_rehearsal_switch_the_resolver_is_left_alone(monkeypatch):
    _, original = _load(monkeypatch, None)

    assert socket.getaddrinfo is original


def test_vpce_names_are_answered_from_the_sandbox_model(monkeypatch):
    module, _ = _load(monkeypatch, "sandbox-ec2-model")
    monkeypatch.setattr(module, "_addresses_from_sandbox", lambda name: ["10.0.0.4", "10.0.1.4"])

    answers = socket.getaddrinfo(NAME, 443, socket.AF_INET, socket.SOCK_STREAM)

    assert [a[4] for a in answers] == [("10.0.0.4", 443), ("10.0.1.4", 443)]


def test_an_unknown_vpce_name_does_not_resolve(monkeypatch):
    module, _ = _load(monkeypatch, "sandbox-ec2-model")
    monkeypatch.setattr(module, "_addresses_from_sandbox", lambda name: [])

    with pytest.raises(socket.gaierror):
        socket.getaddrinfo(NAME, 443)


def test_every_other_name_goes_to_the_real_resolver(monkeypatch):
    module, _ = _load(monkeypatch, "sandbox-ec2-model")
    asked = []
    monkeypatch.setattr(module, "_real_getaddrinfo", lambda *args: asked.append(args) or [])
    monkeypatch.setattr(module, "_addresses_from_sandbox", lambda name: pytest.fail(name))

    socket.getaddrinfo("sts.us-east-1.amazonaws.com", 443)
    socket.getaddrinfo("127.0.0.1", 5599)

    assert [a[0] for a in asked] == ["sts.us-east-1.amazonaws.com", "127.0.0.1"]
