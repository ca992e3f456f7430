"""Build and synthesize the CDK app (imports aws_cdk: several seconds the first time)."""

from __future__ import annotations

import json
import os
import pathlib
import sys

import aws_cdk as cdk
from aws_cdk import cx_api

from cdk_app.names import proxy_stack_name
from cdk_app.stack import PrivateApiLabStack

#: The stacks the app can build: the lab's own (the default) and the "before" path.
VARIANTS = ("http_task", "lambda_proxy")
#: Context key choosing the variant: ``cdk synth -c variant=lambda_proxy``.
VARIANT_CONTEXT = "variant"

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent

# Context the template's shape depends on, pinned here (post-CLI context wins
# over cdk.json and --context) so `cdk synth`, `python -m cdk_app` and an
# installed package all emit the same template.
PINNED_CONTEXT = {
    # Unset, this flag (on by default since 2.221) renders the HTTP task's URL
    # as "ApiEndpoint.$": "States.Format('{}/{}', root, 'hello')". The lab's
    # path is static, so keep the plain "ApiEndpoint": "<ApiRootUrl>/hello"
    # that a learner can read in the console and the sandbox matches exactly.
    "@aws-cdk/aws-stepfunctions-tasks:httpInvokeDynamicJsonPathEndpoint": False,
    # The CDK CLI asks for ``Metadata: {"aws:cdk:path": ...}`` on every resource
    # (its --path-metadata defaults on); that metadata also feeds the API
    # deployment's logical-id hash, so `cdk synth` would name the Deployment
    # differently from `python -m lab synth`. The paths still reach the CLI
    # through the assembly's metadata file.
    "aws:cdk:enable-path-metadata": False,
}


class NoAssetsSynthesizer(cdk.LegacyStackSynthesizer):
    """No bootstrap stack, no BootstrapVersion parameter, no roles, and no assets.

    `cdk deploy` then uses the caller's credentials, as ``lab.deploy`` does.
    BootstraplessSynthesizer would name the bootstrap's
    ``cdk-hnb659fds-cfn-exec-role`` as the stack's RoleARN (and its deploy
    role for the CLI to assume), which CloudFormation refuses in an account
    that was never bootstrapped. The legacy synthesizer would turn an asset
    into template parameters; this one refuses it at once, as
    BootstraplessSynthesizer does.
    """

    def add_file_asset(self, asset):
        raise RuntimeError(
            "Cannot add assets to the lab's stack: it deploys as one template with no bootstrap "
            "bucket, so remove the construct that needs a file asset."
        )

    def add_docker_image_asset(self, asset):
        raise RuntimeError(
            "Cannot add assets to the lab's stack: it deploys as one template with no bootstrap "
            "repository, so remove the construct that needs a container image asset."
        )


# Artifact types that would mean more to deploy than the one template.
_DEPLOYABLE_ARTIFACT_TYPES = {
    "aws:cloudformation:stack",
    "cdk:asset-manifest",
    "cdk:cloud-assembly",  # nested assembly (a Stage)
}


def file_context(root: pathlib.Path = REPO_ROOT) -> dict:
    """Context from ``cdk.json`` and ``cdk.context.json``, as ``cdk synth`` would pass it.

    The CDK CLI reads these files and hands them to the app; ``python -m cdk_app``
    runs without the CLI, so it reads them itself and both ways synthesize the
    same template. Missing files (an installed package) contribute nothing.
    """
    context: dict = {}
    cdk_json = root / "cdk.json"
    if cdk_json.is_file():
        context.update(json.loads(cdk_json.read_text()).get("context", {}))
    context_json = root / "cdk.context.json"
    if context_json.is_file():
        context.update(json.loads(context_json.read_text()))
    return context


def build_app(
    stack_name: str, outdir: str | os.PathLike, *, extra_context: dict | None = None,
    pieces=None, variant: str | None = None,
) -> tuple[cdk.App, cdk.Stack]:
    """The app and its one stack, not yet synthesized (tests add validation plugins to it).

    ``extra_context`` is merged over the files' context (e.g. to ask for a
    validation report); :data:`PINNED_CONTEXT` still wins. ``pieces``
    (:class:`cdk_app.pieces.Pieces`) replaces reference parts with a learner's (``lab.check``).
    ``variant`` (else the ``variant`` context, else ``http_task``): ``lambda_proxy`` builds
    the "before" stack ``<stack_name>-LambdaProxy`` (:mod:`cdk_app.lambda_proxy`) instead.
    """
    app = cdk.App(
        outdir=str(outdir),
        context={**file_context(), **(extra_context or {})},
        post_cli_context=PINNED_CONTEXT,
        analytics_reporting=False,
        # The construct tree file is for the CDK CLI's explorer, and creation
        # stack traces only slow synth down: skip both.
        tree_metadata=False,
        stack_traces=False,
        # CDK's built-in template validator (WebAssembly) costs ~5 s per synth;
        # tests/test_template_lint.py runs cfn-lint on the template instead.
        builtin_cloud_formation_validation=False,
    )
    variant = variant or app.node.try_get_context(VARIANT_CONTEXT) or VARIANTS[0]
    if variant not in VARIANTS:
        raise ValueError(f"variant {variant!r} is not one of {', '.join(VARIANTS)}; "
                         "pass one of those (-c variant=... or --variant ...).")
    if variant == "lambda_proxy":
        from cdk_app.lambda_proxy import LambdaProxyStack

        name = proxy_stack_name(stack_name)
        return app, LambdaProxyStack(
            app, name, stack_name=name, synthesizer=NoAssetsSynthesizer(),
            analytics_reporting=False,
            description="Private API Lab (before): Step Functions -> Lambda proxy in the VPC "
                        "-> private API Gateway, beside the HTTP Task path",
        )
    stack = PrivateApiLabStack(
        app,
        stack_name,
        stack_name=stack_name,
        description="Private API Lab: Step Functions HTTP task -> EventBridge connection -> "
        "VPC Lattice -> private API Gateway",
        # No CDKToolkit bootstrap stack, no BootstrapVersion parameter, no
        # roles, and any attempt to add an asset fails at synth.
        synthesizer=NoAssetsSynthesizer(),
        analytics_reporting=False,
        pieces=pieces,
    )
    return app, stack


def check_assembly(assembly: cx_api.CloudAssembly, stack_name: str) -> pathlib.Path:
    """Fail loudly unless the assembly holds one asset-free, error-free stack template.

    NoAssetsSynthesizer already refuses file and image assets; this also
    catches asset manifests, extra stacks or stages, and CDK error annotations
    (which ``app.synth()`` records but does not raise). Warnings go to stderr.
    """
    stack = assembly.get_stack_by_name(stack_name)
    if stack.assets:
        raise RuntimeError(
            f"Stack {stack_name} has {len(stack.assets)} asset(s); the lab deploys with a plain "
            "create_stack and no bootstrap bucket, so remove the construct that added them."
        )
    manifest = json.loads((pathlib.Path(assembly.directory) / "manifest.json").read_text())
    unexpected = [
        f"{artifact_id} ({artifact['type']})"
        for artifact_id, artifact in manifest["artifacts"].items()
        if artifact_id != stack.id and artifact["type"] in _DEPLOYABLE_ARTIFACT_TYPES
    ]
    if unexpected:
        raise RuntimeError(
            f"The cloud assembly holds more than the one stack template ({', '.join(unexpected)}); "
            "the lab deploys a single template, so remove the construct that added them."
        )
    for message in stack.messages:
        if message.level == cx_api.SynthesisMessageLevel.ERROR:
            raise RuntimeError(
                f"CDK reported an error at {message.id}: {message.entry.data}; fix it in cdk_app/."
            )
        if message.level == cx_api.SynthesisMessageLevel.WARNING:
            print(f"warning at {message.id}: {message.entry.data}", file=sys.stderr)
    return pathlib.Path(stack.template_full_path)


def option_context(env=os.environ) -> dict:
    """The stack's options set in the environment, as context values.

    ``LAB_CONNECTION_KMS_KEY=true`` becomes ``connection_kms_key=true``
    (:mod:`cdk_app.connection_key`); unset, the context (cdk.json, ``-c``) decides.
    """
    from cdk_app.connection_key import CONTEXT_KEY

    value = env.get("LAB_CONNECTION_KMS_KEY", "").strip()
    return {CONTEXT_KEY: value} if value else {}


def synthesize(
    stack_name: str, outdir: str | os.PathLike, variant: str | None = None, *,
    extra_context: dict | None = None,
) -> pathlib.Path:
    """Synthesize into ``outdir``; return the path of the stack's ``<name>.template.json``.

    ``extra_context`` defaults to the options the environment sets (:func:`option_context`).
    """
    context = option_context() if extra_context is None else extra_context
    app, stack = build_app(stack_name, outdir, extra_context=context, variant=variant)
    return check_assembly(app.synth(), stack.stack_name)
