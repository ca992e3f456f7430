"""Contracts: the moto CloudFormation internals the sandbox relies on (moto 5.2.5).

lab/sandbox/cloudformation patches ``moto.cloudformation.parsing`` (``parsing.py``),
the stack's life cycle (``stacks.py``), and its handlers call service backends
directly (``models.py``). If one of these fails after a moto upgrade, the place
to fix is named in the test's docstring.
"""

from __future__ import annotations

import inspect
import json

import pytest
from moto import mock_aws
from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses
from moto.core.common_models import CloudFormationModel

from lab.sandbox import seams
from lab.sandbox.cloudformation import parsing as lab_parsing
from lab.sandbox.cloudformation import stacks as lab_stacks

ACCOUNT = "123456789012"
REGION = "us-east-1"


def parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


@pytest.fixture
def spy(monkeypatch):
    """Replace a module attribute by a recorder that delegates to ``target``."""

    def install(module, name, target):
        calls = []

        def recorder(*args, **kwargs):
            calls.append(args)
            return target(*args, **kwargs)

        monkeypatch.setattr(module, name, recorder)
        return calls

    return install


# -- parsing.py --------------------------------------------------------------------


def test_model_lists_are_lru_caches_of_direct_subclasses():
    """parsing.clear_model_caches: get_model_list/get_model_map/get_name_type_map."""
    for name in lab_parsing.MODEL_CACHES:
        assert hasattr(getattr(parsing, name), "cache_clear"), name
    parsing.get_model_list.cache_clear()
    assert parsing.get_model_list() == CloudFormationModel.__subclasses__()


def test_clean_json_recurses_through_the_module_level_name(spy):
    """parsing.clean_json wraps moto's: nested strings reach the wrapper only this way."""
    calls = spy(parsing, "clean_json", seams.original(lab_parsing.CLEAN_JSON))
    seams.original(lab_parsing.CLEAN_JSON)({"Fn::Join": ["", ["a", "b"]]}, {})
    assert ["a", "b"] in [call[0] for call in calls]


def test_clean_json_resolves_join_before_returning_the_string(monkeypatch):
    """parsing.clean_json resolves dynamic references in what moto's returns."""
    monkeypatch.setattr(parsing, "clean_json", seams.original(lab_parsing.CLEAN_JSON))
    value = {"Fn::Join": ["", ["{{resolve:", "secretsmanager:x}}"]]}
    assert seams.original(lab_parsing.CLEAN_JSON)(value, {}) == "{{resolve:secretsmanager:x}}"


def test_conditions_clean_values_against_a_plain_dict_with_pseudo_parameters():
    """parsing.clean_json reads AWS::AccountId/AWS::Region from either kind of map."""
    source = inspect.getsource(parsing.ResourceMap.load_conditions)
    assert "self._parsed_resources" in source
    assert "AWS::AccountId" in inspect.getsource(parsing.ResourceMap.__init__)


def test_resource_class_from_type_is_looked_up_by_module_name(spy):
    """parsing.resource_class_from_type replaces moto's; parse_resource must call it by name."""
    calls = spy(parsing, "resource_class_from_type", lambda resource_type: None)
    with pytest.warns(UserWarning):
        parsing.parse_resource({"Type": "AWS::Example::Thing"}, {})
    assert calls == [("AWS::Example::Thing",)]


def test_unknown_types_resolve_to_no_model():
    """stacks.parse_and_create_resource fails a create when the lookup returns None."""
    assert seams.original(lab_parsing.RESOURCE_CLASS_FROM_TYPE)("AWS::Example::Thing") is None


def test_null_models_are_the_wait_conditions():
    """stacks.parse_and_create_resource lets NULL_MODELS through without a model."""
    assert parsing.NULL_MODELS == [
        "AWS::CloudFormation::WaitCondition",
        "AWS::CloudFormation::WaitConditionHandle",
    ]


def test_moto_has_no_model_for_the_types_the_sandbox_adds():
    """models.py and the service packages add these; if moto gains one, compare and decide."""
    lab_parsing.clear_model_caches()
    moto_types = {
        model.cloudformation_type()
        for model in CloudFormationModel.__subclasses__()
        if model.__module__.startswith("moto.")
    }
    assert moto_types.isdisjoint(
        {
            "AWS::ApiGateway::ApiKey",
            "AWS::ApiGateway::Stage",
            "AWS::ApiGateway::UsagePlan",
            "AWS::ApiGateway::UsagePlanKey",
            "AWS::EC2::SecurityGroupEgress",
            "AWS::Events::Connection",
            "AWS::SecretsManager::Secret",
            "AWS::VpcLattice::ResourceConfiguration",
            "AWS::VpcLattice::ResourceGateway",
        }
    )


# -- stacks.py: the resource map -----------------------------------------------------


def test_resource_map_creates_lazily_through_the_module_level_function(spy):
    """stacks.parse_and_create_resource is reached from ResourceMap.__getitem__ by name."""
    calls = spy(parsing, "parse_and_create_resource", lambda *args, **kwargs: None)
    template = {"Resources": {"Thing": {"Type": "AWS::Example::Thing"}}}
    resource_map = parsing.ResourceMap("id", "name", {}, {}, REGION, ACCOUNT, template, None)
    resource_map["Thing"]
    assert [call[0] for call in calls] == ["Thing"]


def test_resource_map_keeps_parsed_resources_in_creation_order():
    """stacks.delete_resource_map/update_resource_map: insertion order is creation order."""
    source = inspect.getsource(lab_stacks.moto_original("resource_map_getitem"))
    assert "self._parsed_resources[resource_logical_id] = new_resource" in source
    assert source.index("parse_and_create_resource(") < source.index(
        "self._parsed_resources[resource_logical_id] = new_resource"
    )


def test_resource_map_internals_the_patches_read():
    """stacks.py reads and writes these ResourceMap attributes and methods."""
    template = {"Resources": {}}
    resource_map = parsing.ResourceMap("id", "name", {}, {}, REGION, ACCOUNT, template, None)
    for name in ("_parsed_resources", "_resource_json_map", "_account_id", "_region_name"):
        assert hasattr(resource_map, name), name
    for name in ("build_resource_diff", "load_mapping", "load_parameters", "load_conditions"):
        assert callable(getattr(resource_map, name)), name
    assert parameters(parsing.ResourceMap._delete_resource) == [
        "self",
        "parsed_resource",
        "resource_json",
    ]


def test_build_resource_diff_names_added_modified_and_removed_resources():
    """stacks.update_resource_map takes its work list from build_resource_diff."""
    old = {"Resources": {"A": {"Type": "T"}, "B": {"Type": "T"}}}
    new = {"Resources": {"B": {"Type": "T", "Properties": {"X": 1}}, "C": {"Type": "T"}}}
    resource_map = parsing.ResourceMap("id", "name", {}, {}, REGION, ACCOUNT, old, None)
    assert resource_map.build_resource_diff(new) == {"Add": ["C"], "Modify": ["B"], "Remove": ["A"]}


def test_deleting_a_resource_falls_back_silently_on_type_and_attribute_errors(spy):
    """base.StackResource.delete turns those errors into ResourceDeletionError: moto's
    fallback would otherwise skip the deletion and report success."""
    calls = spy(parsing, "parse_and_delete_resource", lambda *args: None)

    class Broken:
        physical_resource_id = "x"

        def delete(self, account_id, region_name):
            raise TypeError("boom")

    resource_map = parsing.ResourceMap("id", "n", {}, {}, REGION, ACCOUNT, {"Resources": {}}, None)
    resource_map._delete_resource(Broken(), {"Type": "T"})
    assert calls == [("x", {"Type": "T"}, ACCOUNT, REGION)]


def test_update_calls_the_models_update_through_the_module_level_function():
    """stacks.parse_and_update_resource is reached by name and keeps moto's signature."""
    original = lab_stacks.moto_original
    assert parameters(original("parse_and_update_resource")) == parameters(
        lab_stacks.parse_and_update_resource
    )
    assert parameters(original("parse_and_create_resource")) == parameters(
        lab_stacks.parse_and_create_resource
    )
    source = inspect.getsource(original("resource_map_update"))
    assert "parse_and_update_resource(" in source


# -- stacks.py: the stack -----------------------------------------------------------


def test_stack_methods_the_life_cycle_replaces_keep_their_signatures():
    """stacks.create_resources/update_stack/delete_stack_resources replace these."""
    assert parameters(lab_stacks.moto_original("parse_template")) == ["template"]
    original = lab_stacks.moto_original
    assert parameters(original("stack_create_resources")) == parameters(lab_stacks.create_resources)
    assert parameters(original("stack_delete")) == parameters(lab_stacks.delete_stack_resources)
    assert parameters(original("stack_update")) == parameters(lab_stacks.update_stack)
    assert parameters(original("resource_map_update")) == parameters(lab_stacks.update_resource_map)
    assert parameters(original("resource_map_delete")) == parameters(lab_stacks.delete_resource_map)


def test_backend_updates_a_stack_with_its_resolved_parameters():
    """stacks.update_stack compares these parameters with the stack's own."""
    source = inspect.getsource(cfn_models.CloudFormationBackend.update_stack)
    assert "stack.update(template, role_arn, parameters=resolved_parameters, tags=tags)" in source


def test_backend_forgets_a_stack_whose_deletion_raises():
    """stacks.backend_delete_stack puts a DELETE_FAILED stack back into ``stacks``."""

    class FailingStack:
        stack_id = "arn:stack/x/1"
        name = "x"
        exports: list = []

        def delete(self):
            raise RuntimeError("cannot")

    with mock_aws():
        backend = cfn_models.cloudformation_backends[ACCOUNT][REGION]
        backend.stacks[FailingStack.stack_id] = FailingStack()
        with pytest.raises(RuntimeError):
            lab_stacks.moto_original("backend_delete_stack")(backend, FailingStack.stack_id)
        assert FailingStack.stack_id not in backend.stacks | backend.deleted_stacks


def test_stack_outputs_and_resources_are_properties():
    """stacks.stack_outputs/stack_resources replace them with properties."""
    assert isinstance(lab_stacks.moto_original("stack_outputs"), property)
    assert isinstance(lab_stacks.moto_original("stack_resources"), property)


def test_stack_events_are_built_from_these_fields():
    """stacks.resource_event creates Event objects with these keywords."""
    assert parameters(cfn_models.Event.__init__) == [
        "self",
        "stack_id",
        "stack_name",
        "logical_resource_id",
        "physical_resource_id",
        "resource_type",
        "resource_status",
        "resource_status_reason",
        "resource_properties",
    ]


def test_describe_stack_events_lists_the_stack_events_newest_first():
    """stacks.resource_event appends to ``stack.events``; the response reverses it."""
    source = inspect.getsource(cfn_responses.CloudFormationResponse.describe_stack_events)
    assert "events[::-1]" in source
    assert "return self.get_stack(stack_name).events" in inspect.getsource(
        cfn_models.CloudFormationBackend.describe_stack_events
    )


def test_create_stack_handler_ignores_on_failure():
    """stacks.create_stack_response passes OnFailure/DisableRollback on: moto reads neither."""
    source = inspect.getsource(lab_stacks.moto_original("create_stack_response"))
    assert "OnFailure" not in source
    assert "DisableRollback" not in source


def test_update_stack_handler_refuses_no_op_updates_only_with_parameters():
    """stacks.update_stack refuses the no-op update moto lets through without parameters."""
    source = inspect.getsource(cfn_responses.CloudFormationResponse._validate_different_update)
    assert "if incoming_params and stack_body:" in source


def test_stack_status_reason_is_serialized_from_status_reason():
    """stacks._set_status sets ``status_reason``; describe_stacks must show it."""
    from moto.core.serialize import XFormedAttributePicker  # noqa: F401  (the picker in use)

    with mock_aws():
        import boto3

        cfn = boto3.client("cloudformation", region_name=REGION)
        cfn.create_stack(StackName="s", TemplateBody=json.dumps({"Resources": {}}))
        stack = next(iter(cfn_models.cloudformation_backends[ACCOUNT][REGION].stacks.values()))
        stack.status_reason = "because"
        described = cfn.describe_stacks(StackName="s")["Stacks"][0]
    assert described["StackStatusReason"] == "because"


def test_stack_resource_summaries_read_these_attributes():
    """base.StackResource: physical_resource_id; parse_and_create_resource sets the others."""
    source = inspect.getsource(cfn_responses.CloudFormationResponse.list_stack_resources)
    for name in ("logical_resource_id", "physical_resource_id", "cf_resource_type"):
        assert name in source
    source = inspect.getsource(lab_stacks.moto_original("parse_and_create_resource"))
    assert "resource.cf_resource_type = resource_type" in source


# -- models.py: backends the handlers call ---------------------------------------------


def test_step_functions_api_picks_its_backend_per_call():
    """models.stepfunctions: the handler writes where moto's API reads (and executes)."""
    from moto.core.config import default_user_config
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend
    from moto.stepfunctions.responses import get_backend

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        assert default_user_config["stepfunctions"]["execute_state_machine"] is True
        assert isinstance(get_backend(ACCOUNT, REGION), StepFunctionsParserBackend)


def test_step_functions_create_takes_type_and_logging():
    """models.StepFunctionsStateMachine.create passes these keywords."""
    from moto.stepfunctions.models import StepFunctionBackend

    names = parameters(StepFunctionBackend.create_state_machine)
    for name in ("name", "definition", "roleArn", "tags", "loggingConfiguration", "sm_type"):
        assert name in names, name
    names = parameters(StepFunctionBackend.update_state_machine)
    for name in ("definition", "role_arn", "logging_configuration", "tracing_configuration"):
        assert name in names, name


def test_ec2_calls_the_handlers_make():
    """models.EC2VPC/EC2Subnet/EC2RouteTable/EC2SecurityGroup/EC2VPCEndpoint call these."""
    from moto.ec2.models import EC2Backend

    expected = {
        "create_vpc": ["cidr_block", "instance_tenancy", "tags"],
        "modify_vpc_attribute": ["vpc_id", "attr_name", "attr_value"],
        "create_subnet": ["vpc_id", "cidr_block", "availability_zone", "tags"],
        "create_route_table": ["vpc_id", "tags"],
        "associate_route_table": ["route_table_id", "subnet_id"],
        "disassociate_route_table": ["association_id"],
        "create_security_group": ["name", "description", "vpc_id", "tags"],
        "authorize_security_group_ingress": ["ip_ranges", "source_groups", "prefix_list_ids"],
        "authorize_security_group_egress": ["ip_ranges", "source_groups", "prefix_list_ids"],
        "revoke_security_group_ingress": ["security_rule_ids"],
        "revoke_security_group_egress": ["security_rule_ids"],
        "create_vpc_endpoint": [
            "vpc_id",
            "service_name",
            "endpoint_type",
            "policy_document",
            "route_table_ids",
            "subnet_ids",
            "security_group_ids",
            "tags",
            "private_dns_enabled",
        ],
        "delete_vpc_endpoints": ["vpce_ids"],
        "create_tags": ["resource_ids", "tags"],
        "delete_tags": ["resource_ids", "tags"],
    }
    missing = {
        method: [name for name in names if name not in parameters(getattr(EC2Backend, method))]
        for method, names in expected.items()
    }
    assert {method: names for method, names in missing.items() if names} == {}


def test_deleting_a_vpc_leaves_its_default_network_acl():
    """models.EC2VPC.remove deletes the VPC's network ACLs itself."""
    with mock_aws():
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[ACCOUNT][REGION]
        vpc = ec2.create_vpc(cidr_block="10.9.0.0/16")
        ec2.delete_vpc(vpc.id)
        assert [acl.vpc_id for acl in ec2.network_acls.values() if acl.vpc_id == vpc.id] == [vpc.id]


def test_security_group_rules_come_back_with_ids_from_authorize():
    """models._StandaloneRule: the rule id is the physical id (revoked by id later)."""
    with mock_aws():
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[ACCOUNT][REGION]
        vpc = ec2.create_vpc(cidr_block="10.9.0.0/16")
        group = ec2.create_security_group(name="g", description="d", vpc_id=vpc.id)
        rules, _ = ec2.authorize_security_group_egress(
            group.id, "tcp", 443, 443, [{"CidrIp": "10.9.0.0/16"}]
        )
        ec2.revoke_security_group_egress(
            group.id, None, None, None, [], security_rule_ids=[rules[0].id]
        )
        assert [rule.id for rule in group.egress_rules if rule.id == rules[0].id] == []


def test_log_groups_are_kept_by_name_with_a_tagger():
    """models.LogsLogGroup: create/put_retention_policy/groups/tag_resource/untag_resource."""
    from moto.logs.models import LogsBackend

    assert parameters(LogsBackend.create_log_group)[:3] == ["self", "log_group_name", "tags"]
    for method in ("put_retention_policy", "delete_retention_policy", "delete_log_group"):
        assert "log_group_name" in parameters(getattr(LogsBackend, method)), method
    with mock_aws():
        from moto.logs.models import logs_backends

        logs = logs_backends[ACCOUNT][REGION]
        group = logs.create_log_group("g", {}, kmsKeyId=None)
        assert logs.groups["g"] is group
        assert group.arn == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:g"


# -- inventory.py: the collections leftovers() reads ----------------------------------


def test_inventory_reads_these_backend_collections():
    """inventory.leftovers: a renamed collection would hide leftovers, so every name is checked."""
    from moto.apigateway.models import apigateway_backends
    from moto.ec2.models import ec2_backends
    from moto.events.models import events_backends
    from moto.iam.models import iam_backends
    from moto.logs.models import logs_backends
    from moto.secretsmanager.models import secretsmanager_backends
    from moto.stepfunctions.models import stepfunctions_backends

    expected = {
        ec2_backends: ["vpcs", "subnets", "route_tables", "network_acls", "groups", "enis"],
        apigateway_backends: ["apis", "keys", "usage_plans", "usage_plan_keys", "vpc_links"],
        events_backends: ["connections", "event_buses"],
        logs_backends: ["groups"],
        secretsmanager_backends: ["secrets"],
        stepfunctions_backends: ["state_machines", "activities"],
        iam_backends: ["roles", "users", "managed_policies"],
    }
    missing = {}
    with mock_aws():
        for backends, names in expected.items():
            region = "aws" if backends is iam_backends else REGION
            backend = backends[ACCOUNT][region]
            absent = [name for name in names if not hasattr(backend, name)]
            if absent:
                missing[type(backend).__name__] = absent
        endpoint_collection = ec2_backends[ACCOUNT][REGION].vpc_end_points
    assert missing == {}
    assert isinstance(endpoint_collection, dict)


# -- changesets.py -------------------------------------------------------------------


def test_change_set_handlers_are_the_operations_snake_case_names():
    """changesets.seams replace these CloudFormationResponse methods outright."""
    from lab.sandbox.cloudformation import changesets

    for name in (
        "create_change_set",
        "describe_change_set",
        "execute_change_set",
        "delete_change_set",
        "list_change_sets",
    ):
        original = seams.original(changesets._RESPONSES + name)
        assert callable(original), name
        assert parameters(original) == ["self"], name


def test_describe_change_set_output_transformers_exist():
    """changesets.seams remove these two transformers; to_dict gives botocore's shapes."""
    from lab.sandbox.cloudformation import changesets

    source = inspect.getsource(cfn_responses)
    for key in changesets._REMOVED_TRANSFORMERS:
        assert f'"{key}"' in source, key


def test_backend_keeps_change_sets_in_a_dict_and_stacks_by_id():
    """changesets stores its ChangeSet objects in backend.change_sets (by ARN)."""
    backend = cfn_models.CloudFormationBackend(REGION, ACCOUNT)
    assert backend.change_sets == {}
    assert backend.stacks == {} and backend.deleted_stacks == {}
    assert callable(backend._validate_export_uniqueness)
    assert parameters(cfn_models.CloudFormationBackend.delete_stack)[1:] == ["name_or_stack_id"]


def test_stack_constructor_takes_what_changesets_passes():
    """changesets builds the REVIEW_IN_PROGRESS placeholder and the executed stack itself."""
    names = parameters(cfn_models.Stack.__init__)
    for name in (
        "stack_id",
        "name",
        "template",
        "parameters",
        "account_id",
        "region_name",
        "notification_arns",
        "tags",
        "role_arn",
        "cross_stack_resources",
    ):
        assert name in names, name
    assert parameters(cfn_models.Stack._add_stack_event)[1:3] == [
        "resource_status",
        "resource_status_reason",
    ]


def test_id_generators_take_name_region_account():
    from moto.cloudformation.utils import generate_changeset_id, generate_stack_id

    assert generate_stack_id("S", REGION, ACCOUNT).startswith(
        f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/S/"
    )
    assert generate_changeset_id("cs", REGION, ACCOUNT).startswith(
        f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:changeSet/cs/"
    )


def test_moto_delete_change_set_of_an_unknown_name_still_fails():
    """Why changesets replaces DeleteChangeSet: moto raises UnboundLocalError (HTTP 500)
    where AWS succeeds. When this fails, moto fixed it; the replacement can stay."""
    backend = cfn_models.CloudFormationBackend(REGION, ACCOUNT)
    with pytest.raises(UnboundLocalError):
        cfn_models.CloudFormationBackend.delete_change_set(backend, "cdk-deploy-change-set")


def test_resource_map_leaves_the_extension_name_free():
    """stacks.ResourceMapExtension lives at resource_map.lab: moto's ResourceMap must not use it."""
    assert "lab" not in vars(parsing.ResourceMap)
    assert "self.lab" not in inspect.getsource(parsing.ResourceMap)
    assert parsing.ResourceMap.__dictoffset__ != 0  # its instances have a __dict__ to hold it
