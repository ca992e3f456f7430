"""moto tests that fail with the sandbox's extensions on purpose, each with its reason.

Keys are junit test ids (``<module>::<test name>``) as ``run.py`` prints them. An entry
belongs here only where the sandbox is deliberately closer to AWS than moto is; anything
else is a bug to fix in the sandbox. ``run.py`` notes entries that no longer regress.
"""

_CFN = "tests.test_cloudformation.test_cloudformation_stack_crud::"
_LATTICE = "tests.test_vpclattice.test_vpclattice::"

_STACK_NAME_NEEDED = (
    "DescribeChangeSet/ExecuteChangeSet with a change set *name* need StackName on AWS "
    "(API reference: 'If you specified the name of a change set, specify the stack name'); "
    "the sandbox answers AWS's ValidationError 'StackName must be specified if ChangeSetName "
    "is not specified as an ARN.', moto finds the change set by name alone"
)
_NO_SUCH_CONFIGURATION = (
    "the association names resource configuration 'some-resource-config-id', which does not "
    "exist and does not match the API's pattern (rcfg-[0-9a-z]{17} or its ARN, botocore's "
    "model); AWS refuses it with ValidationException, moto associates any string"
)

_HTTPS_ONLY = (
    "the API destination's InvocationEndpoint is 'www.google.com', not an https:// URL; "
    "EventBridge calls HTTPS endpoints only and the sandbox refuses it (ValidationException), "
    "moto stores it"
)
_EVENTS = "tests.test_events.test_events::"

ALLOWED: dict[str, str] = {
    **{
        _EVENTS + name: _HTTPS_ONLY
        for name in (
            "test_create_and_list_api_destinations",
            "test_create_and_update_api_destination[Description-my aspi dest-my actual api dest]",
            "test_create_and_update_api_destination[HttpMethod-GET-PATCH]",
            "test_create_and_update_api_destination[InvocationEndpoint-www.google.com-www.google.cz]",
            "test_create_and_update_api_destination[InvocationRateLimitPerSecond-1-32]",
            "test_delete_api_destination",
        )
    },
    "tests.test_events.test_events_http_integration::test_invoke_http_request_on_event": (
        "the sandbox delivers to an API destination along its modelled network path, offline "
        "(it has no internet: www.google.com is unreachable and the event goes to the retry "
        "policy); moto calls the endpoint with requests, which the test intercepts"
    ),
    "tests.test_events.test_events::test_delete_connection_success": (
        "DeleteConnection answers ConnectionState DELETING on AWS (the connection goes "
        "away asynchronously); moto answers the previous state, AUTHORIZED"
    ),
    "tests.test_stepfunctions.test_stepfunctions_cloudformation::"
    "test_state_machine_cloudformation_update_with_no_interruption": (
        "the update removes StateMachineName, a create-only property (AWS::StepFunctions::"
        "StateMachine: Update requires Replacement), so CloudFormation replaces the state "
        "machine under a generated name; moto updates it in place"
    ),
    "tests.test_stepfunctions.test_stepfunctions_cloudformation::"
    "test_state_machine_cloudformation_update_with_replacement": (
        "a replacement state machine carries exactly the template's two tags, as a new "
        "resource does on AWS; moto copies the replaced machine's third tag over"
    ),
    "tests.test_ec2.test_vpcs::test_describe_vpc_interface_end_points": (
        "an interface endpoint's DnsEntries are the regional name plus one name per subnet's "
        "AZ (and the private DNS name), as AWS returns them; moto returns one entry"
    ),
    "tests.test_ec2.test_vpcs::test_modify_vpc_endpoint_add_security_group": (
        "an interface endpoint created without SecurityGroupIds gets the VPC's default "
        "security group (CreateVpcEndpoint: 'If this parameter is not specified, we use the "
        "default security group for the VPC'), so it has two groups after one is added"
    ),
    _LATTICE + "test_create_service_network_resource_association": _NO_SUCH_CONFIGURATION,
    _LATTICE + "test_get_service_network_resource_association_by_id": _NO_SUCH_CONFIGURATION,
    _LATTICE + "test_get_service_network_resource_association_by_arn": _NO_SUCH_CONFIGURATION,
    _LATTICE + "test_list_service_network_resource_associations": _NO_SUCH_CONFIGURATION,
    "tests.test_vpclattice.test_vpclattice_integration::test_vpc_lattice_snra_tagging_api": (
        _NO_SUCH_CONFIGURATION
    ),
    _LATTICE + "test_get_nonexistent_service_network_resource_association": (
        "'nonexistent-association-arn' does not match the identifier's pattern (snra-… or "
        "its ARN, botocore's model), which AWS checks first: ValidationException, not "
        "ResourceNotFoundException"
    ),
    "tests.test_cloudformation.test_cloudformation_custom_resources::"
    "test_create_custom_lambda_resource__unknown_arn": (
        "a custom resource whose ServiceToken names no Lambda function fails as a resource "
        "(CREATE_FAILED, the stack rolls back) on AWS; CreateStack itself succeeds"
    ),
    "tests.test_cloudformation.test_cloudformation_stack_integration::"
    "test_invalid_action_type_listener_rule": (
        "CloudFormation checks a resource's property values when it creates the resource: "
        "the listener rule fails CREATE_FAILED and the stack rolls back; CreateStack succeeds"
    ),
    _CFN + "test_update_stack_with_previous_template": (
        "an update with the previous template and the same parameters changes nothing, and "
        "AWS refuses it: 'No updates are to be performed.'"
    ),
    _CFN + "test_create_change_set_twice__no_changes": (
        "a second change set with the name of one that exists is refused on AWS with "
        "AlreadyExistsException 'ChangeSet [NewChangeSet] already exists'"
    ),
    _CFN + "test_create_change_set_twice__using_s3__no_changes": (
        "a second change set with the name of one that exists is refused on AWS with "
        "AlreadyExistsException 'ChangeSet [NewChangeSet] already exists'"
    ),
    _CFN + "test_create_change_set_w_previous_template_faillures[no_changes]": (
        "a change set without changes is created and ends FAILED ('The submitted "
        "information didn't contain changes.') on AWS; the call itself does not fail"
    ),
    _CFN + "test_create_change_set_w_previous_template_faillures[no_template_body_or_url]": (
        "the sandbox's message is AWS's text; moto's embeds botocore's 'An error occurred "
        "(ValidationError) when calling …' prefix inside the message"
    ),
    _CFN + "test_create_change_set_w_previous_template_faillures[use_previous_w_template_body]": (
        "the sandbox's message is AWS's text; moto's embeds botocore's 'An error occurred "
        "(ValidationError) when calling …' prefix inside the message"
    ),
    _CFN + "test_create_change_set_w_previous_template_faillures[use_previous_w_template_url]": (
        "the sandbox's message is AWS's text; moto's embeds botocore's 'An error occurred "
        "(ValidationError) when calling …' prefix inside the message"
    ),
    **{
        _CFN + name: _STACK_NAME_NEEDED
        for name in (
            "test_create_change_set[all_new_values]",
            "test_create_change_set[reuse_default_value]",
            "test_create_change_set[some_new_values]",
            "test_create_change_set_w_previous_template_success[all_new_values]",
            "test_create_change_set_w_previous_template_success[reuse_default_value]",
            "test_create_change_set_w_previous_template_success[some_new_values]",
            "test_describe_change_set[stack_template0-change_template0]",
            "test_describe_change_set[stack_template1-change_template1]",
            "test_describe_change_set[stack_template2-change_template2]",
            "test_execute_change_set_w_arn",
            "test_get_template_summary_for_stack_created_by_changeset_execution",
        )
    },
}
