"""The Private API Lab's CDK app: one stack, small constructs, no assets.

``python -m cdk_app`` (or ``cdk synth`` through cdk.json) writes the cloud
assembly; :func:`synthesize` does the same for ``lab.synth``.

Importing this package is cheap (one ``node --version``, to silence jsii's
banner for that version): aws_cdk and its jsii runtime, about two seconds to
start, load only when :func:`synthesize` runs.

Imports: ``cdk_app`` imports only its ``mapping_templates`` (and aws_cdk); ``lab``
imports ``cdk_app`` (``names``, :func:`synthesize`), never the other way.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess


def _node_major_version() -> str:
    node = shutil.which("node")
    if node is None:
        return ""
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip().lstrip("v").split(".")[0]


# jsii prints a boxed banner about Node versions it has not tested, is
# deprecated, or past end of life; it would land in notebook and CLI output
# (and stderr, which nbval compares). Must be set before aws_cdk is imported.
# The end-of-life switch takes the silenced major versions, not a flag.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
if "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION" not in os.environ:
    os.environ["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = _node_major_version()

from cdk_app.names import DEFAULT_STACK_NAME, lattice_name  # noqa: E402

__all__ = ["DEFAULT_STACK_NAME", "lattice_name", "synthesize"]


def synthesize(
    stack_name: str = DEFAULT_STACK_NAME, outdir: str | os.PathLike = "cdk.out",
    variant: str | None = None,
) -> pathlib.Path:
    """Synthesize the lab stack into ``outdir`` and return the template's path.

    The template is environment-agnostic (it deploys unchanged in the sandbox
    and in any supported account and region) and has no assets, so it deploys
    with a plain ``cloudformation.create_stack(..., Capabilities=["CAPABILITY_IAM"])``.
    Raises ``RuntimeError`` if anything added an asset or CDK reported an error.
    ``variant="lambda_proxy"`` synthesizes the "before" stack ``<stack_name>-LambdaProxy``
    (a Lambda proxy in the lab's VPC, :mod:`cdk_app.lambda_proxy`) instead.
    """
    from cdk_app.app import synthesize as _synthesize

    return _synthesize(stack_name, outdir, variant)
