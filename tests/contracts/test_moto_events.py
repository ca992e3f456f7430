"""Contracts: the moto 5.2.5 EventBridge internals lab/sandbox/events wraps and reads."""

from __future__ import annotations

import inspect
import json


def _original(function):
    return getattr(function, "__wrapped__", function)


def test_create_connection_takes_four_arguments():
    """events/models.wrap_create_connection calls the original with exactly these."""
    from moto.events.models import EventsBackend

    parameters = inspect.signature(_original(EventsBackend.create_connection)).parameters

    assert list(parameters) == [
        "self",
        "name",
        "description",
        "authorization_type",
        "auth_parameters",
    ]


def test_delete_connection_deletes_the_secret_and_returns_a_dict():
    """events/models.wrap_delete_connection updates the dict moto's delete returns."""
    from moto.events.models import EventsBackend

    source = inspect.getsource(_original(EventsBackend.delete_connection))

    assert "delete_secret" in source
    assert "return connection.describe_short()" in source


def test_the_connection_model_attributes_we_read():
    """models.py reads arn, name, secret_arn, auth_parameters, state, creation_time."""
    from moto.events.models import Connection

    source = inspect.getsource(Connection.__init__)
    for attribute in (
        "self.name",
        "self.description",
        "self.authorization_type",
        "self.auth_parameters",
        "self.creation_time",
        "self.state",
        "self.secret_arn",
        "self.arn",
    ):
        assert attribute in source, attribute


def test_moto_connection_and_destination_leave_the_extension_name_free():
    """ConnectionExtension / DestinationExtension live at .lab: moto's classes must not use it."""
    from moto.events.models import Connection, Destination

    for cls in (Connection, Destination):
        assert "lab" not in vars(cls), cls
        assert "self.lab" not in inspect.getsource(cls), cls


def test_moto_still_drops_connectivity_and_leaks_the_key():
    """The gaps events/ fills; if moto fixes them, slim the extension down."""
    import moto.events.models
    import moto.events.responses

    models_source = inspect.getsource(moto.events.models)
    responses_source = inspect.getsource(moto.events.responses)

    assert '"AuthParameters": self.auth_parameters' in models_source  # describe() leaks the key
    assert "InvocationConnectivityParameters" not in models_source
    assert "InvocationConnectivityParameters" not in responses_source


def test_connection_describe_is_a_plain_method_we_can_replace():
    """events.seams set Connection.describe (CloudFormation's GetAtt reads it)."""
    import moto.events.models

    source = inspect.getsource(moto.events.models)

    assert "    def describe(self) -> dict[str, Any]:" in source
    assert "self.region = region_name" in source  # model_describe reads connection.region


def test_the_secret_layout_moto_writes(moto_inprocess):
    """models.read_secret expects api_key_name/api_key_value in the managed secret."""
    events = moto_inprocess("events")
    created = events.create_connection(
        Name="contract",
        AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "v"}},
    )
    arn = events.describe_connection(Name="contract")["SecretArn"]

    secret = moto_inprocess("secretsmanager").get_secret_value(SecretId=arn)

    assert created["ConnectionArn"].startswith("arn:aws:events:")
    assert json.loads(secret["SecretString"]) == {"api_key_name": "x-api-key", "api_key_value": "v"}


def test_moto_names_the_connection_secret_with_auth_and_keys_secrets_by_name():
    """models.rename_secret renames moto's ``events!connection/<name>/<uuid>/auth`` in place:
    it relies on FakeSecret keeping name, secret_id and arn as attributes and on the secrets
    store being a dict keyed by the secret's name."""
    from moto.events.models import Connection
    from moto.secretsmanager.models import FakeSecret, SecretsStore

    assert 'secret_id=f"events!connection/{connection_id}/auth"' in inspect.getsource(Connection)
    source = inspect.getsource(FakeSecret.__init__)
    assert "self.secret_id = secret_id" in source and "self.name = secret_id" in source
    assert "self.arn = SecretsManagerSecretIdentifier(" in source
    assert issubclass(SecretsStore, dict)
    assert "secret.arn == key or secret.name == key" in inspect.getsource(SecretsStore.get)


def test_update_secret_takes_a_client_request_token():
    """models.write_secret adds a version with a fresh token (moto refuses one without)."""
    from moto.secretsmanager.models import SecretsManagerBackend

    parameters = inspect.signature(SecretsManagerBackend.update_secret).parameters

    assert {"secret_id", "secret_string", "client_request_token"} <= set(parameters)


def test_the_helpers_we_import_exist():
    """get_secrets_manager_backend, CamelToUnderscoresWalker, the events exceptions."""
    from moto.events.exceptions import (
        ResourceAlreadyExistsException,
        ResourceNotFoundException,
        ValidationException,
    )
    from moto.events.models import get_secrets_manager_backend
    from moto.utilities.utils import CamelToUnderscoresWalker

    assert callable(get_secrets_manager_backend)
    assert CamelToUnderscoresWalker.parse({"ApiKeyName": "a"}) == {"api_key_name": "a"}
    assert ResourceAlreadyExistsException and ResourceNotFoundException and ValidationException


def test_the_handler_exposes_backend_and_headers():
    """responses.py uses self.events_backend, self.response_headers, self.current_account."""
    from moto.events.responses import EventsHandler

    assert isinstance(inspect.getattr_static(EventsHandler, "events_backend"), property)
    assert "self.current_account" in inspect.getsource(EventsHandler)


def test_put_targets_takes_name_bus_and_targets():
    """``lab.sandbox.events.target_role`` wraps ``EventsBackend.put_targets(name, event_bus_arn,
    targets)``; CloudFormation's Rule handler calls the same backend method with its Targets,
    so one wrap covers both. The seam can go when moto requires a RoleArn itself."""
    import inspect

    from moto.events.models import EventsBackend, Rule

    from lab.sandbox import seams

    original = seams.original("moto.events.models:EventsBackend.put_targets")
    assert list(inspect.signature(original).parameters) == [
        "self",
        "name",
        "event_bus_arn",
        "targets",
    ]
    assert "backend.put_targets(" in inspect.getsource(Rule.create_from_cloudformation_json)
    assert "RoleArn" not in inspect.getsource(original)
    target = "moto.events.models:EventsBackend.put_targets"
    assert EventsBackend.put_targets is seams.installed(target)


def test_moto_has_no_deauthorize_connection():
    """``lab.sandbox.events.models.deauthorize_connection`` adds the backend method and
    ``responses.deauthorize_connection`` the handler; both can go when moto has them."""
    from moto.events.models import EventsBackend
    from moto.events.responses import EventsHandler

    from lab.sandbox import seams

    assert seams.original("moto.events.models:EventsBackend.deauthorize_connection") is (
        seams.MISSING
    )
    assert seams.original("moto.events.responses:EventsHandler.deauthorize_connection") is (
        seams.MISSING
    )
    assert callable(EventsBackend.deauthorize_connection)
    assert callable(EventsHandler.deauthorize_connection)
