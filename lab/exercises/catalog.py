"""The build exercises of notebook 08, in the order the path is built.

Each class is one piece of :class:`cdk_app.pieces.Pieces`: its hints, what its result
must be, how a failed run maps to the link and the fix, and when a working answer is
broader than it needs to be. Messages name the learner's own answer where the
template shows it (``your rule opens tcp/80``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from lab.exercises.exercise import Exercise
from lab.exercises.stack import Trial

HTTPS = 443
CONNECTION_WARMUP_ERROR_PREFIX = "Events.ConnectionResource."
#: The warm-up the Retry exercise's run meets (seconds): short, so a Retry with full
#: jitter rides it out but a task without one fails on its first call.
CHECK_WARMUP_SECONDS = 0.3


# ----------------------------------------------------------------------- template helpers


def _resources(template: dict, resource_type: str) -> dict[str, dict]:
    return {k: r for k, r in template.get("Resources", {}).items() if r["Type"] == resource_type}


def _logical_id(value: Any) -> str | None:
    """The logical id a ``Ref`` or ``Fn::GetAtt`` points at."""
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return target[0] if isinstance(target, list) else str(target).split(".")[0]
    return None


def _gateway(template: dict) -> dict:
    gateways = _resources(template, "AWS::VpcLattice::ResourceGateway")
    return next(iter(gateways.values()), {}).get("Properties", {})


def gateway_egress_rules(template: dict) -> list[dict]:
    """Every egress rule of the resource gateway's security groups (inline or separate)."""
    group_ids = {_logical_id(g) for g in _gateway(template).get("SecurityGroupIds", [])}
    rules = []
    for logical_id, group in _resources(template, "AWS::EC2::SecurityGroup").items():
        if logical_id in group_ids:
            rules += group.get("Properties", {}).get("SecurityGroupEgress", [])
    for egress in _resources(template, "AWS::EC2::SecurityGroupEgress").values():
        if _logical_id(egress["Properties"].get("GroupId")) in group_ids:
            rules.append(egress["Properties"])
    return rules


def _is_placeholder(rule: dict) -> bool:
    """CDK's "disallow all traffic" rule (icmp 252-86 to 255.255.255.255/32)."""
    return rule.get("CidrIp") == "255.255.255.255/32"


def _describe_rule(rule: dict) -> str:
    protocol = str(rule.get("IpProtocol"))
    peer = rule.get("CidrIp") or rule.get("CidrIpv6") or rule.get("DestinationSecurityGroupId") \
        or rule.get("DestinationPrefixListId") or "?"
    if not isinstance(peer, str):
        peer = "a security group" if rule.get("DestinationSecurityGroupId") else json.dumps(peer)
    if protocol == "-1":
        return f"all traffic to {peer}"
    ports = rule.get("FromPort"), rule.get("ToPort")
    port = str(ports[0]) if ports[0] == ports[1] else f"{ports[0]}-{ports[1]}"
    return f"{protocol}/{port} to {peer}"


def _rule_covers_https(rule: dict) -> bool:
    if str(rule.get("IpProtocol")) == "-1":
        return True
    if str(rule.get("IpProtocol")) not in ("tcp", "6"):
        return False
    return int(rule.get("FromPort", -1)) <= HTTPS <= int(rule.get("ToPort", -1))


def _state_machine_policy(template: dict) -> list[dict]:
    """The statements of the EXPRESS state machine role's policy (the one the check runs)."""
    for logical_id, policy in _resources(template, "AWS::IAM::Policy").items():
        if logical_id.startswith("WorkflowsExpressRole"):
            return policy["Properties"]["PolicyDocument"]["Statement"]
    return []


def _actions(statement: dict) -> list[str]:
    actions = statement.get("Action", [])
    return actions if isinstance(actions, list) else [actions]


# ----------------------------------------------------------------------- the exercises


class GatewaySecurityGroup(Exercise):
    name = "gateway_security_group"
    title = "The resource gateway's security group: HTTPS out to the VPC only"
    signature = "gateway_security_group(scope, *, vpc, vpc_cidr) -> ec2.SecurityGroup"
    link = "resource gateway -> VPC endpoint (the gateway's security group, egress)"
    reference_path = "cdk_app.lattice:resource_gateway_security_group"
    hints = (
        "The gateway's ENIs open connections to the execute-api endpoint's ENIs inside the "
        "VPC, on HTTPS. Which direction does that need: ingress or egress?",
        "ec2.SecurityGroup(scope, \"SecurityGroup\", vpc=vpc, allow_all_outbound=False) "
        "starts with no way out; add exactly one egress rule.",
        "group.add_egress_rule(ec2.Peer.ipv4(vpc_cidr), ec2.Port.tcp(443), \"HTTPS to the "
        "endpoint\"), then return group.",
    )

    returns = ("security_group_id", "an ec2.SecurityGroup: return the group you built")

    def _rules(self, trial: Trial) -> list[dict]:
        return [r for r in gateway_egress_rules(trial.template) if not _is_placeholder(r)]

    def diagnose(self, trial):
        rules = self._rules(trial)
        if not rules:
            return self.link, (
                "your group has no egress rule, so the gateway cannot open any connection "
                "(security groups are stateful: an ingress rule does not help here); add "
                "group.add_egress_rule(ec2.Peer.ipv4(vpc_cidr), ec2.Port.tcp(443)).")
        listed = ", ".join(_describe_rule(r) for r in rules)
        if not any(_rule_covers_https(r) for r in rules):
            return self.link, (
                f"your egress rule(s) allow {listed}, but the endpoint answers on HTTPS: "
                "open tcp/443 (ec2.Port.tcp(443)).")
        return self.link, (
            f"your egress rule(s) allow {listed}, which does not reach the endpoint's "
            "addresses inside the VPC: send to the VPC's CIDR (ec2.Peer.ipv4(vpc_cidr)).")

    def broader(self, trial):
        notes = []
        for rule in self._rules(trial):
            if rule.get("CidrIp") == "0.0.0.0/0" or rule.get("CidrIpv6") == "::/0":
                notes.append(f"it works, but your rule allows {_describe_rule(rule)}: the "
                             "gateway only needs the VPC's CIDR (ec2.Peer.ipv4(vpc_cidr)).")
            elif str(rule.get("IpProtocol")) == "-1" or rule.get("FromPort") != rule.get(
                    "ToPort"):
                notes.append(f"it works, but your rule allows {_describe_rule(rule)}: only "
                             "tcp/443 is needed (ec2.Port.tcp(443)).")
        return notes


class DnsTarget(Exercise):
    name = "dns_target"
    title = "The resource configuration's DNS target, from the endpoint's DnsEntries"
    signature = "dns_target(endpoint) -> str"
    link = "resource configuration -> VPC endpoint (the configuration's DNS name)"
    reference_path = "cdk_app.lattice:endpoint_regional_dns_name"
    hints = (
        "endpoint.vpc_endpoint_dns_entries is a list of \"<hosted zone id>:<dns name>\" "
        "strings, known only at deploy time: build the value with Fn.select and Fn.split.",
        "Entry 0 is the regional name (vpce-….execute-api.<region>.vpce.amazonaws.com); the "
        "next ones are per availability zone. The API's own host name is not in the list "
        "you want.",
        "Fn.select(1, Fn.split(\":\", Fn.select(0, endpoint.vpc_endpoint_dns_entries)))",
    )

    returns = (str, "a str: return the DNS name (a CloudFormation expression such as "
                    "Fn.select(...))")

    def inspect(self, client, outputs):
        from cdk_app.names import Output

        endpoint = client("ec2").describe_vpc_endpoints(
            VpcEndpointIds=[outputs[Output.VpcEndpointId]])["VpcEndpoints"][0]
        configuration = client("vpc-lattice").get_resource_configuration(
            resourceConfigurationIdentifier=outputs[Output.ResourceConfigurationId])
        dns = (configuration.get("resourceConfigurationDefinition") or {}).get(
            "dnsResource") or {}
        return {"entries": [e["DnsName"] for e in endpoint.get("DnsEntries", [])],
                "domain": dns.get("domainName", "")}

    def _classify(self, domain: str, entries: list[str]) -> str:
        if entries and domain == entries[0]:
            return "regional"
        if ":" in domain:
            return "with zone"
        if re.fullmatch(r"Z[A-Z0-9]+", domain):
            return "zone id"
        if re.search(r"-[a-z]{2}(-[a-z]+)+-\d[a-z]\.", domain) and ".vpce." in domain:
            return "az"
        if ".execute-api." in domain and ".vpce." not in domain:
            return "api host"
        return "other"

    def diagnose(self, trial):
        said = f"{trial.error or ''} {trial.cause or ''} {trial.deploy_error or ''}"
        named = re.search(r"domainName '([^']*)'|DNS: (\S+)", said)
        domain = next((g for g in named.groups() if g), "") if named else ""
        kind = self._classify(domain, [])
        if kind == "with zone":
            return self.link, ("each DnsEntries item is '<hosted zone id>:<name>'; split it on "
                               "':' and keep the name: Fn.select(1, Fn.split(':', entry)).")
        if kind == "zone id":
            return self.link, (f"{domain} is the hosted zone id (the part before the ':'); "
                               "take the part after it: Fn.select(1, Fn.split(':', entry)).")
        return self.link, ("use the endpoint's regional DNS name, the name in "
                           "DnsEntries entry 0 after the ':'.")

    def judge(self, trial):
        domain, entries = trial.seen.get("domain", ""), trial.seen.get("entries", [])
        kind = self._classify(domain, entries)
        if kind == "regional":
            return None
        if kind == "az":
            return (f"{domain} is an availability-zone name of the endpoint",
                    "nothing today: calls succeed, but every one goes to the endpoint's ENI in "
                    "that one zone; if the zone is impaired the HTTP Task fails with "
                    "States.Http.Socket.",
                    "use DnsEntries entry 0 (the regional name), which resolves to the ENIs "
                    "in every zone.")
        if kind == "api host":
            return (f"{domain} is the API's own host name",
                    "States.Http.Socket: the resource gateway resolves the name in public DNS, "
                    "where the API's host is API Gateway's public address, and the isolated "
                    "subnets have no route there (the call times out after 60 s).",
                    "target the VPC endpoint instead: DnsEntries entry 0, after the ':'.")
        return (f"{domain} is not the endpoint's regional DNS name", "",
                "use DnsEntries entry 0, the part after the ':'.")


class HttpTaskPolicy(Exercise):
    name = "http_task_policy"
    title = "The execution role's least-privilege policy for the HTTP Task"
    signature = "http_task_policy(*, connection, api_root_url) -> list[iam.PolicyStatement]"
    link = "Step Functions execution role -> HTTP Task (IAM)"
    reference_path = "cdk_app.workflows:http_task_policy"
    hints = (
        "The HTTP Task needs permission to call the endpoint, and to read the connection's "
        "credentials (the connection stores them in a Secrets Manager secret).",
        "Three statements: events:RetrieveConnectionCredentials on connection.connection_arn; "
        "secretsmanager:GetSecretValue and secretsmanager:DescribeSecret on "
        "connection.connection_secret_arn; states:InvokeHTTPEndpoint.",
        "states:InvokeHTTPEndpoint takes resources=[\"*\"] narrowed by conditions="
        "{\"StringLike\": {\"states:HTTPEndpoint\": f\"{api_root_url}*\"}}.",
    )

    def validate(self, result):
        from aws_cdk import aws_iam as iam

        items = list(result) if isinstance(result, list | tuple) else None
        if items is None or not all(isinstance(s, iam.PolicyStatement) for s in items):
            return ("your function must return a list of iam.PolicyStatement objects "
                    f"(it returned {type(result).__name__}).")
        return None

    def diagnose(self, trial):
        said = f"{trial.error} {trial.cause}"
        action = re.search(r"perform:? ?(\w+:\w+)", said or "")
        action = action.group(1) if action else ""
        invoking = [st for st in _state_machine_policy(trial.template)
                    if "states:InvokeHTTPEndpoint" in _actions(st)]
        if action == "states:InvokeHTTPEndpoint" and invoking:
            return self.link, (
                "your states:InvokeHTTPEndpoint statement does not match the URL the task "
                "calls (its resource or its states:HTTPEndpoint condition): use resources="
                "['*'] and StringLike states:HTTPEndpoint = f'{api_root_url}*'.")
        if action == "states:InvokeHTTPEndpoint":
            return self.link, (
                "allow states:InvokeHTTPEndpoint with resources=['*'] and the condition "
                "StringLike states:HTTPEndpoint = f'{api_root_url}*' (the URL the task calls "
                "must match it).")
        if action == "events:RetrieveConnectionCredentials":
            return self.link, ("allow events:RetrieveConnectionCredentials on "
                               "connection.connection_arn.")
        if action.startswith("secretsmanager:"):
            return self.link, ("allow secretsmanager:GetSecretValue and "
                               "secretsmanager:DescribeSecret on connection.connection_secret_arn.")
        return self.link, "compare your statements with lab.hint('http_task_policy')."

    def broader(self, trial):
        notes = []
        for statement in _state_machine_policy(trial.template):
            actions = _actions(statement)
            if all(a.split(":")[0] in ("logs", "xray") for a in actions):
                continue  # the kit's own logging and tracing statement
            wild = [a for a in actions if a == "*" or a.endswith(":*")]
            if wild:
                notes.append(f"it works, but {', '.join(wild)} grants every action of the "
                             "service: list the actions the task needs.")
            if statement.get("Resource") == "*" and not statement.get("Condition"):
                notes.append(f"it works, but {', '.join(actions)} on Resource \"*\" reaches "
                             "every resource: name the connection or its secret.")
        return notes


class ResourceConfiguration(Exercise):
    name = "resource_configuration"
    title = "The resource configuration: SINGLE, port 443, on the gateway"
    signature = ("resource_configuration(scope, *, name, gateway, domain_name) -> "
                 "vpclattice.CfnResourceConfiguration")
    link = "connection -> resource configuration -> resource gateway (VPC Lattice)"
    reference_path = "cdk_app.lattice:resource_configuration"
    hints = (
        "One resource (the endpoint's DNS name) reached through one gateway: which "
        "resource_configuration_type is that?",
        "lattice.CfnResourceConfiguration(scope, \"ResourceConfiguration\", name=name, "
        "resource_configuration_type=\"SINGLE\", resource_gateway_id=gateway.attr_id, "
        "port_ranges=[...], resource_configuration_definition=...)",
        "port_ranges=[\"443\"], and the definition is a DnsResourceProperty("
        "domain_name=domain_name, ip_address_type=\"IPV4\").",
    )

    returns = ("attr_arn", "a vpclattice.CfnResourceConfiguration: return the configuration")

    def _properties(self, trial) -> dict:
        found = _resources(trial.template, "AWS::VpcLattice::ResourceConfiguration")
        return next(iter(found.values()), {}).get("Properties", {})

    def diagnose(self, trial):
        props = self._properties(trial)
        said = f"{trial.error} {trial.cause} {trial.deploy_error}"
        kind = props.get("ResourceConfigurationType")
        if kind != "SINGLE":
            return self.link, (f"your configuration is {kind}; one DNS resource behind one "
                               "gateway is resource_configuration_type=\"SINGLE\".")
        if "port" in said.lower() or "portRanges" in said:
            return self.link, (f"your port_ranges are {props.get('PortRanges')}; the API "
                               "answers on HTTPS: port_ranges=[\"443\"].")
        definition = props.get("ResourceConfigurationDefinition") or {}
        if "DnsResource" not in definition:
            return self.link, ("define the resource by DNS name: resource_configuration_"
                               "definition=...(dns_resource=...DnsResourceProperty("
                               "domain_name=domain_name, ip_address_type=\"IPV4\")).")
        if "resourceGatewayIdentifier" in said or "resource gateway" in said.lower():
            return self.link, "name the gateway by its id: resource_gateway_id=gateway.attr_id."
        return self.link, "compare your configuration with lab.hint('resource_configuration')."

    def judge(self, trial):
        kind = self._properties(trial).get("ResourceConfigurationType")
        if kind != "SINGLE":
            return (f"your configuration is {kind}, not SINGLE",
                    "",
                    "a GROUP holds CHILD configurations and has no resource of its own (the "
                    "sandbox let this one through); the connection needs one resource behind "
                    "the gateway: resource_configuration_type=\"SINGLE\".")
        return None

    def broader(self, trial):
        ports = self._properties(trial).get("PortRanges") or []
        if ports and ports != ["443"]:
            return [f"it works, but port_ranges {ports} open more than HTTPS: [\"443\"] is "
                    "enough."]
        return []


class WarmupRetry(Exercise):
    name = "warmup_retry"
    title = "The HTTP Task's Retry for a new connection's warm-up window"
    signature = "warmup_retry(task) -> task"
    link = "HTTP Task -> connection (a connection still warming up)"
    reference_path = "cdk_app.workflows:connection_warmup_retry"
    #: The run starts at once after the deploy: the connection is still warming up.
    wait_for_connection = False
    hints = (
        "A connection that was just created answers Events.ConnectionResource.* errors for "
        "a moment before it is ACTIVE. Which state field turns such an error into a wait?",
        "task.add_retry(errors=[...], interval=..., backoff_rate=..., max_attempts=...) — "
        "the errors are Events.ConnectionResource.InvalidPrivateConnectionState, "
        "…AuthInProgress and …ConcurrentModification.",
        "interval=Duration.seconds(1), backoff_rate=2, max_attempts=3, "
        "max_delay=Duration.seconds(5), jitter_strategy=sfn.JitterType.FULL; return task.",
    )

    returns = ("add_retry", "the task: return task after adding the Retry")

    def before_run(self, client, outputs):
        """Start the connection's warm-up again, short and known: the run meets it at once.

        The warm-up is :data:`CHECK_WARMUP_SECONDS` for this update only (the sandbox's
        setting is put back at once), so a Retry that waits at all rides it out, and a
        task with none meets ``Events.ConnectionResource.*`` on its first call.
        """
        from cdk_app.names import Output
        from lab import sandbox

        with sandbox.configured(connection_warmup_seconds=CHECK_WARMUP_SECONDS):
            client("events").update_connection(
                Name=outputs[Output.ConnectionName],
                Description="Private API Lab exercise: warm-up starts again",
            )

    def retriers(self, trial) -> list[dict]:
        """The EXPRESS machine's HTTP Task Retry list, read from the template."""
        for logical_id, machine in _resources(trial.template,
                                              "AWS::StepFunctions::StateMachine").items():
            if not logical_id.startswith("WorkflowsExpress"):
                continue
            body = machine["Properties"].get("DefinitionString")
            if isinstance(body, dict) and "Fn::Join" in body:
                body = "".join(p if isinstance(p, str) else "X" for p in body["Fn::Join"][1])
            try:
                states = json.loads(body)["States"]
            except (TypeError, ValueError, KeyError):
                return []
            return [r for state in states.values() for r in state.get("Retry", [])]
        return []

    def judge(self, trial):
        """What one run cannot show for sure: a Retry that names the warm-up and waits twice."""
        from cdk_app.workflows import CONNECTION_WARMUP_ERRORS

        covering = [r for r in self.retriers(trial)
                    if set(CONNECTION_WARMUP_ERRORS) & set(r.get("ErrorEquals", []))
                    or "States.ALL" in r.get("ErrorEquals", [])]
        said = ("Events.ConnectionResource.AuthInProgress: Connection … is CREATING; it cannot "
                "be used until it is ACTIVE.")
        if not covering:
            return ("no Retry of yours names the connection's warm-up errors", said,
                    "add task.add_retry(errors=[" + ", ".join(CONNECTION_WARMUP_ERRORS) +
                    "], interval=Duration.seconds(1), backoff_rate=2, max_attempts=3).")
        if max(int(r.get("MaxAttempts", 3)) for r in covering) < 2:
            return ("your Retry tries again at most once", said,
                    "one retry can come before the connection is ACTIVE (a warm-up lasts "
                    "seconds to minutes): max_attempts=3 with backoff_rate=2.")
        return None

    def diagnose(self, trial):
        if (trial.error or "").startswith(CONNECTION_WARMUP_ERROR_PREFIX):
            return self.link, (
                f"the first call met {trial.error} and nothing retried it long enough: add "
                "task.add_retry(errors=[the Events.ConnectionResource.* warm-up errors], "
                "interval=Duration.seconds(1), backoff_rate=2, max_attempts=3).")
        return self.link, "compare your Retry with lab.hint('warmup_retry')."

    def broader(self, trial):
        text = json.dumps(trial.template)
        if "States.ALL" in text:
            return ["it works, but States.ALL also retries errors that never heal by waiting "
                    "(a wrong API key, a refused call): list the warm-up errors."]
        return []


class RuleTarget(Exercise):
    name = "rule_target"
    title = "The EventBridge rule's target: the API destination, its retry policy, its DLQ"
    signature = ("rule_target(api_destination, *, event, dead_letter_queue, settings) -> "
                 "targets.ApiDestination")
    link = "EventBridge rule -> API destination (the rule's target)"
    failed = "the event went to the dead-letter queue"
    reference_path = "cdk_app.event_delivery:api_destination_target"
    success = "one event went through the whole path to POST /events."
    hints = (
        "aws_events_targets.ApiDestination(api_destination, ...) is the target; CDK gives it a "
        "role that trusts events.amazonaws.com and may call this destination.",
        "Without a retry policy EventBridge retries for 24 hours (185 attempts) before anything "
        "reaches a dead-letter queue; settings.retry_attempts and settings.max_event_age say "
        "how long this lab waits.",
        "targets.ApiDestination(api_destination, event=event, retry_attempts=settings."
        "retry_attempts, max_event_age=settings.max_event_age, dead_letter_queue="
        "dead_letter_queue)",
    )

    returns = ("bind", "a rule target: return targets.ApiDestination(...)")

    def run(self, client, trial):
        from lab.exercises.stack import run_event

        run_event(client, trial)

    def _target(self, trial) -> dict:
        for rule in _resources(trial.template, "AWS::Events::Rule").values():
            for target in rule["Properties"].get("Targets", []):
                return target
        return {}

    def diagnose(self, trial):
        code = trial.error or ""
        if code == "FAILED_TO_ASSUME_ROLE":
            return self.link, ("EventBridge could not assume your target's role: let CDK make it "
                               "(leave event_role out) or make it trust events.amazonaws.com.")
        if code == "NO_PERMISSIONS":
            return self.link, ("your target's role may not call the destination: it needs "
                               "events:InvokeApiDestination on it (CDK adds this to the role it "
                               "makes).")
        return self.link, "compare your target with lab.hint('rule_target')."

    def judge(self, trial):
        from cdk_app.event_delivery import DeliverySettings

        target = self._target(trial)
        wanted = DeliverySettings()
        if not target.get("DeadLetterConfig"):
            return ("your target has no dead-letter queue",
                    "nothing: an event EventBridge cannot deliver is dropped after its retries "
                    "(only the rule's FailedInvocations metric counts it).",
                    "pass dead_letter_queue=dead_letter_queue.")
        policy = target.get("RetryPolicy") or {}
        attempts = policy.get("MaximumRetryAttempts", 185)
        age = policy.get("MaximumEventAgeInSeconds", 86_400)
        if attempts > wanted.retry_attempts or age > wanted.max_event_age.to_seconds():
            return (f"your retry policy keeps an event for {age} s and {attempts} retries",
                    "nothing at first: with a link broken, events wait up to that long before "
                    "the dead-letter queue sees them (EventBridge's defaults: 24 h, 185).",
                    "retry_attempts=settings.retry_attempts, max_event_age=settings."
                    "max_event_age.")
        return None


class PrivateConnectivity(Exercise):
    name = "private_connectivity"
    title = "The connection's private connectivity: through the resource configuration"
    signature = ("private_connectivity(resource_configuration) -> "
                 "events.CfnConnection.InvocationConnectivityParametersProperty")
    link = "EventBridge connection -> resource configuration (private connectivity)"
    reference_path = "cdk_app.connection:private_connectivity"
    hints = (
        "A connection without InvocationConnectivityParameters calls the public internet; the "
        "private API is not there.",
        "events.CfnConnection.InvocationConnectivityParametersProperty(resource_parameters="
        "events.CfnConnection.ResourceParametersProperty(...))",
        "ResourceParametersProperty(resource_configuration_arn=resource_configuration.attr_arn) "
        "— the ARN, not the id.",
    )

    def inspect(self, client, outputs):
        from cdk_app.names import Output

        described = client("events").describe_connection(Name=outputs[Output.ConnectionName])
        return {"state": described.get("ConnectionState"),
                "reason": described.get("StateReason", "")}

    def diagnose(self, trial):
        said = f"{trial.error} {trial.cause} {trial.deploy_error}"
        if "ResourceConfigurationArn" in said or "resourceConfigurationArn" in said:
            return self.link, ("name the configuration by its ARN: resource_configuration."
                               "attr_arn (attr_id is its id).")
        if "States.Http.Socket" in said and "private" not in said.lower():
            return self.link, ("without private connectivity the call goes to the public "
                               "internet, where a private API does not answer: return "
                               "InvocationConnectivityParametersProperty(resource_parameters="
                               "ResourceParametersProperty(resource_configuration_arn="
                               "resource_configuration.attr_arn)).")
        if "FAILED_CONNECTIVITY" in said or "not found" in said:
            return self.link, ("your ARN names a resource configuration that does not exist: "
                               "use the one the stack builds, resource_configuration.attr_arn.")
        return self.link, "compare your parameters with lab.hint('private_connectivity')."


class ResourceGateway(Exercise):
    name = "resource_gateway"
    title = "The resource gateway: in the isolated subnets, in its security group"
    signature = ("resource_gateway(scope, *, name, vpc, subnet_ids, security_group) -> "
                 "vpclattice.CfnResourceGateway")
    link = "resource configuration -> resource gateway (its ENIs in the VPC)"
    reference_path = "cdk_app.lattice:resource_gateway"
    hints = (
        "lattice.CfnResourceGateway(scope, \"ResourceGateway\", name=name, ...) puts ENIs in the "
        "subnets you give it; traffic leaves them under the security groups you give it.",
        "vpc_identifier=vpc.vpc_id, subnet_ids=subnet_ids (every isolated subnet: one ENI per "
        "availability zone), ip_address_type=\"IPV4\".",
        "security_group_ids=[security_group.security_group_id] — the group from exercise ①.",
    )

    returns = ("attr_id", "a vpclattice.CfnResourceGateway: return the gateway")

    def _properties(self, trial) -> dict:
        return _gateway(trial.template)

    def diagnose(self, trial):
        said = f"{trial.error} {trial.cause} {trial.deploy_error}"
        props = self._properties(trial)
        if "subnet" in said.lower():
            return self.link, "give the gateway the isolated subnets: subnet_ids=subnet_ids."
        if "egress" in said.lower() or not props.get("SecurityGroupIds"):
            return self.link, ("put the gateway in the group built for it: security_group_ids="
                               "[security_group.security_group_id] (without it the VPC's "
                               "default group applies).")
        if "vpc" in said.lower():
            return self.link, "vpc_identifier=vpc.vpc_id."
        return self.link, "compare your gateway with lab.hint('resource_gateway')."

    def judge(self, trial):
        props = self._properties(trial)
        subnets = props.get("SubnetIds") or []
        if isinstance(subnets, list) and len(subnets) < 2:
            return ("your gateway has ENIs in one subnet only",
                    "nothing while that zone is healthy; if it is impaired, the connection's "
                    "calls fail with States.Http.Socket.",
                    "subnet_ids=subnet_ids: one ENI per availability zone.")
        kind = props.get("IpAddressType", "IPV4")
        if kind != "IPV4":
            return (f"your gateway's ip_address_type is {kind}",
                    "CreateResourceGateway refuses IPV6 and DUALSTACK in subnets without an "
                    "IPv6 CIDR, and this VPC's subnets have none (the sandbox let it through).",
                    "ip_address_type=\"IPV4\": the endpoint it reaches is IPv4.")
        return None

    def broader(self, trial):
        if not self._properties(trial).get("SecurityGroupIds"):
            return ["it works, but your gateway names no security group, so the VPC's default "
                    "group applies (all egress): security_group_ids=[security_group."
                    "security_group_id]."]
        return []


EXERCISES: dict[str, Exercise] = {
    exercise.name: exercise
    # the order the path is built in (notebook 08's order)
    for exercise in (GatewaySecurityGroup(), ResourceGateway(), DnsTarget(),
                     ResourceConfiguration(), PrivateConnectivity(), HttpTaskPolicy(),
                     WarmupRetry(), RuleTarget())
}
