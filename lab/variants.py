"""Both stacks by variant: ``http_task`` (the lab's own, :mod:`lab.deployment`) and
``lambda_proxy`` (the "before" stack beside it, :mod:`lab.lambda_proxy`).

``lab.deploy()`` and ``lab.destroy()`` are these functions: deploying a variant deploys
what it needs, and destroying with no variant deletes both, the proxy stack first (its
ENIs and Secrets Manager endpoint sit in the lab stack's subnets).
"""

from __future__ import annotations

from lab import deployment, lambda_proxy
from lab.config import LabConfig, load_config
from lab.errors import LabError

VARIANTS = ("http_task", lambda_proxy.VARIANT)


def _check(variant: str | None) -> None:
    if variant is not None and variant not in VARIANTS:
        raise LabError(f"variant {variant!r} is not a stack the lab builds; use one of "
                       f"{', '.join(VARIANTS)} (e.g. lab.deploy(variant=\"lambda_proxy\")).")


def deploy(cfg: LabConfig | None = None, variant: str = "http_task") -> dict:
    """Create or update the stack of ``variant``; return its outputs.

    ``http_task`` (default): the lab's stack. ``lambda_proxy``: the lab's stack if needed,
    then the "before" stack ``<stack>-LambdaProxy`` on the same API.
    """
    _check(variant)
    if variant == lambda_proxy.VARIANT:
        return lambda_proxy.deploy(cfg)
    return deployment.deploy(cfg)


def destroy(cfg: LabConfig | None = None, variant: str | None = None) -> str:
    """Delete the stack of ``variant``, or both (None: the proxy stack first); what happened."""
    _check(variant)
    cfg = cfg or load_config()
    if cfg.is_sandbox and not deployment._sandbox_answers(cfg):
        return deployment.destroy(cfg)  # says the sandbox is not running
    said = []
    if variant in (None, lambda_proxy.VARIANT):
        said.append(lambda_proxy.destroy(cfg))
    if variant in (None, "http_task"):
        said.append(deployment.destroy(cfg))
    return " ".join(said)
