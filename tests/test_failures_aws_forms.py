"""The failure lab's drift checks read what AWS answers, in the form AWS answers it.

Stubbed with botocore's Stubber: the responses are the shapes of the API Gateway API
reference, with the resource policy as GetRestApi returns it on AWS: quotes escaped and
``execute-api:/*`` expanded to ``arn:aws:execute-api:<region>:<account>:<api-id>/*``.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from cdk_app.names import Output
from lab.failures.scenarios import policy_other_endpoint

API_ID, ENDPOINT, DEPLOYMENT = "a1b2c3d4e5", "vpce-0123456789abcdef0", "dep123"
TEMPLATE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "execute-api:Invoke",
        "Resource": "execute-api:/*",
        "Condition": {"StringEquals": {"aws:SourceVpce": ENDPOINT}},
    }],
}


def _as_aws_reads_it(policy: dict, endpoint: str = ENDPOINT) -> str:
    text = json.dumps(policy, separators=(",", ":")).replace(
        "execute-api:/*", f"arn:aws:execute-api:us-east-1:123456789012:{API_ID}/*")
    return text.replace(ENDPOINT, endpoint).replace('"', '\\"')


class _Lab:
    """The part of DeployedLab the policy drift check reads."""

    def __init__(self, apigateway):
        self.apigateway = apigateway
        self.outputs = {Output.RestApiId: API_ID, Output.VpcEndpointId: ENDPOINT,
                        Output.ApiRootUrl: f"https://{API_ID}.execute-api.us-east-1.amazonaws.com/prod"}

    def client(self, service):
        assert service == "apigateway"
        return self.apigateway

    def one(self, resource_type):
        return ("Api", {"Properties": {"Policy": TEMPLATE_POLICY}})

    def resolve(self, value):
        return value

    def _ref(self, name):
        return DEPLOYMENT


def _drift(live_policy: str) -> str | None:
    apigateway = boto3.client("apigateway", region_name="us-east-1",
                              aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(apigateway) as stub:
        stub.add_response("get_rest_api", {"id": API_ID, "policy": live_policy},
                          {"restApiId": API_ID})
        stub.add_response("get_stage", {"deploymentId": DEPLOYMENT, "stageName": "prod"},
                          {"restApiId": API_ID, "stageName": "prod"})
        stub.add_response("get_deployments", {"items": [{"id": DEPLOYMENT}]},
                          {"restApiId": API_ID})
        return policy_other_endpoint.SCENARIO.drift(_Lab(apigateway))


def test_an_intact_policy_read_back_in_aws_expanded_form_is_no_drift():
    assert _drift(_as_aws_reads_it(TEMPLATE_POLICY)) is None


def test_a_policy_allowing_another_endpoint_is_still_drift():
    assert "resource policy" in _drift(_as_aws_reads_it(TEMPLATE_POLICY, "vpce-0000000000000000a"))


def test_a_policy_for_another_apis_arn_is_drift():
    other = _as_aws_reads_it(TEMPLATE_POLICY).replace(API_ID, "zzzzzzzzzz")
    assert "resource policy" in _drift(other)


# --------------------------------------------------------------------------- wrong_dns_target

RC_ARN = "arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/rcfg-0123456789abcdef0"
ENDPOINT_NAME = f"{ENDPOINT}-abcdefgh.execute-api.us-east-1.vpce.amazonaws.com"


class _LatticeLab:
    """The part of DeployedLab the wrong_dns_target break reads."""

    def __init__(self, lattice):
        from lab.config import LabConfig
        from lab.waiting import profile

        self.lattice = lattice
        self.cfg = LabConfig(mode="aws", region="us-east-1", stack_name="PrivateApiLab",
                             sandbox_port=5599)
        self.pace = profile("sandbox")  # no real waiting in a test
        self.outputs = {Output.ResourceConfigurationArn: RC_ARN,
                        Output.ResourceConfigurationId: "rcfg-0123456789abcdef0",
                        Output.VpcEndpointId: ENDPOINT}

    def client(self, service):
        assert service == "vpc-lattice"
        return self.lattice


def _definition(name: str) -> dict:
    return {"dnsResource": {"domainName": name, "ipAddressType": "IPV4"}}


def _lattice_stubbed():
    lattice = boto3.client("vpc-lattice", region_name="us-east-1", aws_access_key_id="x",
                           aws_secret_access_key="x")
    return lattice, Stubber(lattice)


def test_the_wrong_dns_target_is_a_publicly_resolvable_aws_name():
    """A resource gateway resolves its DNS targets through public DNS by default
    (resourceConfigDnsResolution PUBLIC): the break points at the region's STS name, which
    resolves publicly and is unreachable from the gateway, not at a name resolving nowhere."""
    from lab.failures.scenario import Undo
    from lab.failures.scenarios import wrong_dns_target

    lattice, stub = _lattice_stubbed()
    stub.add_response("get_resource_configuration", {
        "resourceConfigurationDefinition": _definition(ENDPOINT_NAME)},
        {"resourceConfigurationIdentifier": RC_ARN})
    stub.add_response("update_resource_configuration", {}, {
        "resourceConfigurationIdentifier": RC_ARN,
        "resourceConfigurationDefinition": _definition("sts.us-east-1.amazonaws.com")})
    stub.add_response("get_resource_configuration", {"status": "ACTIVE"},
                      {"resourceConfigurationIdentifier": RC_ARN})
    with stub:
        wrong_dns_target.SCENARIO.apply(_LatticeLab(lattice), Undo("wrong_dns_target"))
    stub.assert_no_pending_responses()


def test_a_refused_wrong_dns_target_is_one_sentence_and_is_put_back():
    from lab.errors import LabError
    from lab.failures.scenario import Undo
    from lab.failures.scenarios import wrong_dns_target

    lattice, stub = _lattice_stubbed()
    undo = Undo("wrong_dns_target")
    stub.add_response("get_resource_configuration", {
        "resourceConfigurationDefinition": _definition(ENDPOINT_NAME)},
        {"resourceConfigurationIdentifier": RC_ARN})
    stub.add_client_error("update_resource_configuration", "ValidationException",
                          "domain name could not be resolved")
    with stub, pytest.raises(LabError, match="VPC Lattice refused .* cannot be shown"):
        wrong_dns_target.SCENARIO.apply(_LatticeLab(lattice), undo)
    assert [what for what, _ in undo.steps] == [
        "point the configuration back at the endpoint's DNS name"]
