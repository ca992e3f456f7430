"""Build exercises (notebook 08): each one passes with its reference answer and fails, with a
message naming the link and the fix, for at least three mistakes people make.

Every check here really deploys the exercise stack into the test sandbox and runs one
execution through it (about 3 s each). What the wrong answers must produce encodes:
- security groups are stateful and egress must allow tcp/443 to the endpoint's addresses
  (VPC Lattice resource gateway docs; the sandbox's path model, lab/sandbox/network/path.py);
- DnsEntries entry 0 is the regional name, the next ones per AZ (EC2 DescribeVpcEndpoints);
- the HTTP Task's IAM permissions (call-https-apis.html, connection-private.html);
- VPC Lattice CreateResourceConfiguration's rules (portRanges required, type/definition pairs);
- a new or updated connection answers Events.ConnectionResource.* until ACTIVE
  (eb-target-connection-states.html).
"""

from __future__ import annotations

import json

import pytest
from aws_cdk import Duration, Fn
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_vpclattice as lattice
from solved_notebooks import solved_outputs

import cdk_app  # noqa: F401  (silences jsii's Node banner before aws_cdk loads)

WARMUP_ERRORS = [
    "Events.ConnectionResource.InvalidPrivateConnectionState",
    "Events.ConnectionResource.AuthInProgress",
    "Events.ConnectionResource.ConcurrentModification",
]


# --------------------------------------------------------------------- learners' answers


def _group(scope, vpc, *, all_outbound=False):
    return ec2.SecurityGroup(scope, "SecurityGroup", vpc=vpc, allow_all_outbound=all_outbound)


def sg_egress_port_80(scope, *, vpc, vpc_cidr):
    group = _group(scope, vpc)
    group.add_egress_rule(ec2.Peer.ipv4(vpc_cidr), ec2.Port.tcp(80))
    return group


def sg_ingress_instead_of_egress(scope, *, vpc, vpc_cidr):
    group = _group(scope, vpc)
    group.add_ingress_rule(ec2.Peer.ipv4(vpc_cidr), ec2.Port.tcp(443))
    return group


def sg_egress_outside_the_vpc(scope, *, vpc, vpc_cidr):
    group = _group(scope, vpc)
    group.add_egress_rule(ec2.Peer.ipv4("192.168.0.0/16"), ec2.Port.tcp(443))
    return group


def sg_all_outbound(scope, *, vpc, vpc_cidr):
    return _group(scope, vpc, all_outbound=True)


def sg_https_anywhere(scope, *, vpc, vpc_cidr):
    group = _group(scope, vpc)
    group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443))
    return group


def dns_az_entry(endpoint):
    return Fn.select(1, Fn.split(":", Fn.select(1, endpoint.vpc_endpoint_dns_entries)))


def dns_entry_unsplit(endpoint):
    return Fn.select(0, endpoint.vpc_endpoint_dns_entries)


def dns_hosted_zone_id(endpoint):
    return Fn.select(0, Fn.split(":", Fn.select(0, endpoint.vpc_endpoint_dns_entries)))


def dns_api_host(endpoint):
    return "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"


def _credentials(connection):
    return iam.PolicyStatement(actions=["events:RetrieveConnectionCredentials"],
                               resources=[connection.connection_arn])


def _secret(connection):
    return iam.PolicyStatement(
        actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        resources=[connection.connection_secret_arn])


def _invoke(url):
    return iam.PolicyStatement(actions=["states:InvokeHTTPEndpoint"], resources=["*"],
                               conditions={"StringLike": {"states:HTTPEndpoint": f"{url}*"}})


def policy_without_credentials(*, connection, api_root_url):
    return [_secret(connection), _invoke(api_root_url)]


def policy_without_secret(*, connection, api_root_url):
    return [_credentials(connection), _invoke(api_root_url)]


def policy_without_invoke(*, connection, api_root_url):
    return [_credentials(connection), _secret(connection)]


def policy_other_endpoint(*, connection, api_root_url):
    return [_credentials(connection), _secret(connection), _invoke("https://example.com/")]


def policy_everything_everywhere(*, connection, api_root_url):
    return [iam.PolicyStatement(actions=["events:*", "secretsmanager:*",
                                         "states:InvokeHTTPEndpoint"], resources=["*"])]


def _configuration(*, kind="SINGLE", ports=("443",), dns=True):
    def answer(scope, *, name, gateway, domain_name):
        definition = lattice.CfnResourceConfiguration.ResourceConfigurationDefinitionProperty(
            dns_resource=lattice.CfnResourceConfiguration.DnsResourceProperty(
                domain_name=domain_name, ip_address_type="IPV4"),
        ) if dns else lattice.CfnResourceConfiguration.ResourceConfigurationDefinitionProperty(
            ip_resource="10.0.0.4")
        return lattice.CfnResourceConfiguration(
            scope, "ResourceConfiguration", name=name, resource_configuration_type=kind,
            resource_gateway_id=gateway.attr_id, port_ranges=list(ports) if ports else None,
            resource_configuration_definition=definition)
    return answer


def retry_nothing(task):
    return task


def retry_http_errors_only(task):
    task.add_retry(errors=["States.Http.StatusCode.503"], interval=Duration.seconds(1),
                   max_attempts=3)
    return task


def retry_once(task):
    task.add_retry(errors=WARMUP_ERRORS, interval=Duration.seconds(1), max_attempts=1)
    return task


def retry_everything(task):
    task.add_retry(errors=["States.ALL"], interval=Duration.seconds(1), backoff_rate=2,
                   max_attempts=3, jitter_strategy=sfn.JitterType.FULL)
    return task


def _gateway(**changes):
    def answer(scope, *, name, vpc, subnet_ids, security_group):
        props = dict(name=name, ip_address_type="IPV4", vpc_identifier=vpc.vpc_id,
                     subnet_ids=subnet_ids,
                     security_group_ids=[security_group.security_group_id])
        props.update(changes)
        return lattice.CfnResourceGateway(
            scope, "ResourceGateway", **{k: v for k, v in props.items() if v is not None})
    return answer


def gateway_in_one_subnet(scope, *, name, vpc, subnet_ids, security_group):
    return _gateway(subnet_ids=subnet_ids[:1])(scope, name=name, vpc=vpc, subnet_ids=subnet_ids,
                                                security_group=security_group)


def gateway_without_subnets(scope, *, name, vpc, subnet_ids, security_group):
    return lattice.CfnResourceGateway(scope, "ResourceGateway", name=name,
                                      vpc_identifier=vpc.vpc_id)


_PARAMS = events.CfnConnection


def connectivity_by_id(resource_configuration):
    return _PARAMS.InvocationConnectivityParametersProperty(
        resource_parameters=_PARAMS.ResourceParametersProperty(
            resource_configuration_arn=resource_configuration.attr_id))


def connectivity_unwrapped(resource_configuration):
    return _PARAMS.ResourceParametersProperty(
        resource_configuration_arn=resource_configuration.attr_arn)


def connectivity_to_another_configuration(resource_configuration):
    return _PARAMS.InvocationConnectivityParametersProperty(
        resource_parameters=_PARAMS.ResourceParametersProperty(
            resource_configuration_arn="arn:aws:vpc-lattice:us-east-1:123456789012:"
            "resourceconfiguration/rcfg-0123456789abcdef0"))


def target_without_dlq(api_destination, *, event, dead_letter_queue, settings):
    return targets.ApiDestination(api_destination, event=event,
                                  retry_attempts=settings.retry_attempts,
                                  max_event_age=settings.max_event_age)


def target_with_default_retries(api_destination, *, event, dead_letter_queue, settings):
    return targets.ApiDestination(api_destination, event=event,
                                  dead_letter_queue=dead_letter_queue)


def target_role_trusting_step_functions(api_destination, *, event, dead_letter_queue, settings):
    role = iam.Role(api_destination, "TargetRole",
                    assumed_by=iam.ServicePrincipal("states.amazonaws.com"))
    return targets.ApiDestination(api_destination, event=event, event_role=role,
                                  retry_attempts=settings.retry_attempts,
                                  max_event_age=settings.max_event_age,
                                  dead_letter_queue=dead_letter_queue)


# name, answer, link words, fix words (each a mistake people make)
WRONG = [
    ("gateway_security_group", sg_egress_port_80, "security group", "tcp/443"),
    ("gateway_security_group", sg_ingress_instead_of_egress, "security group", "no egress rule"),
    ("gateway_security_group", sg_egress_outside_the_vpc, "security group", "vpc_cidr"),
    ("dns_target", dns_az_entry, "DNS name", "entry 0"),
    ("dns_target", dns_entry_unsplit, "DNS name", "split it on ':'"),
    ("dns_target", dns_hosted_zone_id, "DNS name", "hosted zone id"),
    ("dns_target", dns_api_host, "DNS name", "VPC endpoint"),
    ("http_task_policy", policy_without_credentials, "execution role",
     "events:RetrieveConnectionCredentials on connection.connection_arn"),
    ("http_task_policy", policy_without_secret, "execution role",
     "secretsmanager:DescribeSecret on connection.connection_secret_arn"),
    ("http_task_policy", policy_without_invoke, "execution role", "states:InvokeHTTPEndpoint"),
    ("http_task_policy", policy_other_endpoint, "execution role", "does not match the URL"),
    ("resource_configuration", _configuration(ports=("80",)), "resource configuration",
     'port_ranges=["443"]'),
    ("resource_configuration", _configuration(ports=None), "resource configuration",
     'port_ranges=["443"]'),
    ("resource_configuration", _configuration(kind="GROUP"), "resource configuration",
     'resource_configuration_type="SINGLE"'),
    ("resource_configuration", _configuration(dns=False), "resource configuration",
     "dns_resource"),
    ("warmup_retry", retry_nothing, "warming up", "add_retry"),
    ("warmup_retry", retry_http_errors_only, "warming up", "add_retry"),
    ("warmup_retry", retry_once, "warming up", "max_attempts=3"),
    ("resource_gateway", gateway_in_one_subnet, "resource gateway", "one ENI per availability"),
    ("resource_gateway", gateway_without_subnets, "resource gateway", "lab.hint"),
    ("resource_gateway", _gateway(ip_address_type="IPV6"), "resource gateway",
     'ip_address_type="IPV4"'),
    ("private_connectivity", connectivity_by_id, "private connectivity", "attr_arn"),
    ("private_connectivity", connectivity_unwrapped, "private connectivity",
     "InvocationConnectivityParametersProperty"),
    ("private_connectivity", connectivity_to_another_configuration, "private connectivity",
     "does not exist"),
    ("rule_target", target_without_dlq, "rule's target", "dead_letter_queue=dead_letter_queue"),
    ("rule_target", target_with_default_retries, "rule's target", "settings.retry_attempts"),
    ("rule_target", target_role_trusting_step_functions, "rule's target",
     "trust events.amazonaws.com"),
]

# name, answer, what the "broader than needed" note must say
BROADER = [
    ("gateway_security_group", sg_all_outbound, "0.0.0.0/0"),
    ("gateway_security_group", sg_https_anywhere, "0.0.0.0/0"),
    ("http_task_policy", policy_everything_everywhere, 'Resource "*"'),
    ("resource_configuration", _configuration(ports=("1-65535",)), "open more than HTTPS"),
    ("warmup_retry", retry_everything, "States.ALL"),
    ("resource_gateway", _gateway(security_group_ids=None), "default group"),
]


#: The connection's warm-up while these tests run. A check waits for the exercise stack's
#: connection to be ACTIVE before its execution (the sandbox's default warm-up, 2 s, in the
#: notebook); what the checks answer does not depend on how long that wait is, and with the
#: default it was most of this module's time. The warm-up exercise restarts the warm-up at
#: its own length (``CHECK_WARMUP_SECONDS``), whatever this is.
WARMUP_S = 0.1


@pytest.fixture(scope="module")
def short_warmup(sandbox):
    import lab.sandbox

    with lab.sandbox.configured(connection_warmup_seconds=WARMUP_S):
        yield


@pytest.fixture
def exercises(short_warmup, tmp_path, monkeypatch):
    """lab.exercises with a progress file of its own (it starts empty)."""
    from lab.exercises import state

    monkeypatch.setattr(state, "state_path", lambda: tmp_path / "exercises.json")
    import lab.exercises

    return lab.exercises


def _no_kit_traceback(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text, text


@pytest.mark.parametrize("name", ["gateway_security_group", "resource_gateway", "dns_target",
                                  "resource_configuration", "private_connectivity",
                                  "http_task_policy", "warmup_retry", "rule_target"])
def test_the_reference_answer_is_correct(exercises, name):
    """The kit's own function (what cdk_app builds the lab's stack with) passes its check."""
    outcome = exercises.check(name, exercises.reference(name))
    assert outcome.state == "correct", outcome.text()
    assert outcome.notes == (), outcome.text()


@pytest.mark.parametrize(("name", "answer", "link", "fix"), WRONG,
                         ids=[f"{w[0]}-{getattr(w[1], '__name__', 'answer')}-{i}"
                              for i, w in enumerate(WRONG)])
def test_a_wrong_answer_names_the_link_and_the_fix(exercises, name, answer, link, fix):
    """A mistake people make: incorrect, the link that failed, and what to change."""
    outcome = exercises.check(name, answer)
    text = outcome.text()
    assert outcome.state == "incorrect", text
    assert link in outcome.link, text
    assert fix in outcome.fix, text
    _no_kit_traceback(text)


@pytest.mark.parametrize(("name", "answer", "note"), BROADER,
                         ids=[f"{b[0]}-{getattr(b[1], '__name__', 'answer')}-{i}"
                              for i, b in enumerate(BROADER)])
def test_a_working_but_broader_answer_is_correct_with_a_note(exercises, name, answer, note):
    """Egress to 0.0.0.0/0, Resource "*", all ports, States.ALL: it works, and the check says
    it allows more than it needs."""
    outcome = exercises.check(name, answer)
    assert outcome.state == "correct", outcome.text()
    assert any(note in n for n in outcome.notes), outcome.text()


def test_each_exercise_is_failed_by_at_least_three_distinct_mistakes():
    names = [w[0] for w in WRONG]
    from lab.exercises import EXERCISES

    for name in EXERCISES:
        assert names.count(name) >= 3, name


def test_a_function_returning_none_is_not_attempted(exercises):
    def gateway_security_group(scope, *, vpc, vpc_cidr):
        return None

    outcome = exercises.check("gateway_security_group", gateway_security_group)
    assert outcome.state == "not attempted"
    assert exercises.check("dns_target", None).state == "not attempted"


def test_the_learners_own_error_is_one_line_naming_their_line(exercises):
    def gateway_security_group(scope, *, vpc, vpc_cidr):
        return ec2.SecurityGroup(scope, "SecurityGroup", vpc=vpc, allow_all_outbund=False)

    outcome = exercises.check("gateway_security_group", gateway_security_group)
    assert outcome.state == "incorrect"
    assert "your function raised TypeError" in outcome.summary
    assert "line 2 of your function" in outcome.summary
    _no_kit_traceback(outcome.text())


def test_a_result_of_the_wrong_kind_is_named(exercises):
    outcome = exercises.check("dns_target", lambda endpoint: ["not", "a", "name"])
    assert outcome.state == "incorrect"
    assert "returned a list, not a str" in outcome.summary


def test_the_check_deletes_its_stack(exercises, sandbox_client):
    exercises.check("dns_target", exercises.reference("dns_target"))
    stacks = sandbox_client("cloudformation").describe_stacks()["Stacks"]
    assert not [s["StackName"] for s in stacks if s["StackName"].startswith("LabExercise")]


def test_in_aws_mode_the_check_still_runs_in_the_sandbox_and_says_so(exercises, monkeypatch):
    from lab.exercises import stack

    monkeypatch.setattr("lab.exercises._where", lambda: (
        "checked in the local sandbox, not in your AWS account: offline, free"))
    assert stack.sandbox_config().mode == "sandbox"
    outcome = exercises.check("dns_target", None)
    assert "not in your AWS account" in outcome.text()


def test_hints_come_one_after_another_and_progress_keeps_count(exercises):
    exercises._hints_seen.clear()
    first = exercises.hint("warmup_retry")
    second = exercises.hint("warmup_retry")
    assert first.startswith("Hint 1/3") and second.startswith("Hint 2/3")
    exercises.solution("warmup_retry")
    rows = {r["exercise"]: r for r in exercises.progress_rows()}
    assert rows["warmup_retry"]["hints"] == 2
    assert rows["warmup_retry"]["solution_seen"] is True
    assert rows["dns_target"]["state"] == "not attempted"


def test_progress_is_kept_across_kernels_and_the_cli_prints_it(exercises, tmp_path, capsys):
    exercises.check("dns_target", None)
    saved = json.loads((tmp_path / "exercises.json").read_text())
    assert saved["dns_target"]["state"] == "not attempted"
    assert saved["dns_target"]["checks"] == 1
    from lab.cli import main

    assert main(["progress", "--json"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    rows = {r["exercise"]: r for r in json.loads(line)["exercises"]}
    assert rows["dns_target"]["checks"] == 1
    assert json.loads(line)["mysteries"] == {"drawn": 0, "solved": []}


def test_lab_progress_is_callable_even_after_the_progress_bar_module_loaded(exercises):
    import lab
    import lab.progress_bars  # noqa: F401  (what deploying does)

    assert list(lab.progress().index) == list(exercises.EXERCISES)


def test_every_exercise_is_tested_with_its_reference():
    from lab.exercises import EXERCISES

    reference = test_the_reference_answer_is_correct.pytestmark[0].args[1]
    assert sorted(reference) == sorted(EXERCISES)


def test_the_solution_is_the_function_cdk_app_builds_with():
    from cdk_app.pieces import REFERENCE
    from lab.exercises import EXERCISES, reference, solution

    for name in EXERCISES:
        assert reference(name) is getattr(REFERENCE, name)
        assert f"def {reference(name).__name__}(" in solution(name)


@pytest.mark.slow
def test_notebook_08_solved_says_correct_for_every_exercise(short_warmup, tmp_path):
    """What CI injects through the parameters cell (SOLVED=True): every check is correct.

    The committed notebook (SOLVED=False) is compared cell by cell by strict nbval; this
    runs the solved variant, whose outputs differ by design, and reads what each check said.
    """
    said = solved_outputs("08_build_it_yourself.ipynb", tmp_path, "lab.check(")
    from lab.exercises import EXERCISES

    assert len(said) == len(EXERCISES), said
    assert all("✔ correct" in text for text in said), said


def test_apply_answer_refuses_a_wrong_answer_and_deploys_a_right_one(exercises, monkeypatch):
    """The documented call that puts the learner's version into the lab's own stack (aws mode:
    their account) refuses what the check does not call correct; a right answer deploys."""
    from lab.errors import LabError

    monkeypatch.setenv("LAB_STACK_NAME", "LabApplyAnswer")
    with pytest.raises(LabError, match="not correct yet"):
        exercises.apply_answer("gateway_security_group", sg_egress_port_80)
    outputs = exercises.apply_answer("gateway_security_group",
                                     exercises.reference("gateway_security_group"))
    assert outputs["ResourceGatewaySecurityGroupId"].startswith("sg-")
    from lab.deployment import destroy

    destroy()
