"""Contracts: the moto internals the sandbox server relies on (moto 5.2.5).

If one of these fails after a moto upgrade, the matching place to fix is named
in the test's docstring.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json

import moto


def test_moto_is_the_pinned_version():
    """pyproject.toml pins moto exactly; every seam below was read in this version."""
    assert moto.__version__ == "5.2.5"


def test_the_domain_dispatcher_builds_moto_apps_from_a_factory():
    """lab/sandbox/server.py: SandboxApp wraps DomainDispatcherApplication(create_backend_app)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    app = DomainDispatcherApplication(create_backend_app)

    assert callable(app)
    assert list(inspect.signature(app.__call__).parameters) == ["environ", "start_response"]


def test_motos_request_handler_is_a_werkzeug_handler():
    """server._request_handler subclasses it to set disable_nagle_algorithm."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import WSGIRequestHandler

    assert issubclass(MotoRequestHandler, WSGIRequestHandler)
    assert hasattr(WSGIRequestHandler, "disable_nagle_algorithm")


def test_set_config_switches_the_step_functions_backend():
    """control.enable_state_machine_execution: the call /moto-api/config makes."""
    from moto.core.config import default_user_config
    from moto.moto_api._internal.models import moto_api_backend
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends
    from moto.stepfunctions.responses import get_backend

    saved = dict(default_user_config["stepfunctions"])
    try:
        moto_api_backend.set_config({"stepfunctions": {"execute_state_machine": True}})
        backend = get_backend("123456789012", "us-east-1")
        assert backend is stepfunctions_parser_backends["123456789012"]["us-east-1"]
    finally:
        default_user_config["stepfunctions"] = saved


def test_mock_random_is_seedable():
    """control.seed_ids: the call /moto-api/seed?a=<n> makes; ids come from mock_random."""
    from moto.ec2.utils import random_vpc_ep_id
    from moto.moto_api._internal import mock_random

    mock_random.seed(7)
    first = random_vpc_ep_id()
    mock_random.seed(7)
    assert random_vpc_ep_id() == first


def test_moto_api_reset_exists():
    """control.reset_state: the call POST /moto-api/reset makes."""
    from moto.moto_api._internal.models import moto_api_backend

    assert callable(moto_api_backend.reset)


def test_cloudformation_stacks_are_found_where_deployed_stacks_looks():
    """control.deployed_stacks walks cloudformation_backends[account][region].stacks."""
    import json

    import boto3
    from moto import mock_aws

    from lab.sandbox import control

    template = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}
    with mock_aws():
        cfn = boto3.client("cloudformation", region_name="us-east-1")
        cfn.create_stack(StackName="ContractStack", TemplateBody=json.dumps(template))

        stacks = control.deployed_stacks()

    assert {"name": "ContractStack", "status": "CREATE_COMPLETE"}.items() <= stacks[0].items()


def test_the_dispatcher_looks_backends_up_by_host_only():
    """server.cached_moto_dispatcher remembers get_backend_for_host per host name.

    Safe while the lookup reads nothing but the host, moto's package list and the URL
    tables, and get_application goes through the (overridable) method.
    """
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    lookup = inspect.getsource(DomainDispatcherApplication.get_backend_for_host)
    assert list(inspect.signature(DomainDispatcherApplication.get_backend_for_host).parameters) == [
        "self",
        "host",
    ]
    assert "backends.list_of_moto_modules()" in lookup
    assert "self.backend_url_patterns" in lookup
    assert "environ" not in lookup
    assert "self.get_backend_for_host(host)" in inspect.getsource(
        DomainDispatcherApplication.get_application
    )


def test_the_cached_dispatcher_finds_the_backends_moto_finds():
    """server.cached_moto_dispatcher answers as moto's own lookup does."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from lab.sandbox import server

    moto_dispatcher = DomainDispatcherApplication(create_backend_app)
    cached = server.cached_moto_dispatcher()
    hosts = [
        "states.us-east-1.amazonaws.com",
        "ec2.eu-west-1.amazonaws.com",
        "moto_api",
        "s3",
        None,
    ]
    for host in hosts * 2:
        assert cached.get_backend_for_host(host) == moto_dispatcher.get_backend_for_host(host)


def test_werkzeug_dispatches_every_method_to_run_wsgi_and_closes_every_connection():
    """lab/sandbox/keepalive.py replaces run_wsgi to keep connections open.

    If werkzeug stops sending Connection: close, keep-alive may be built in: compare.
    """
    from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

    handler = object.__new__(WSGIRequestHandler)
    assert handler.do_GET == handler.run_wsgi and handler.do_PATCH == handler.run_wsgi
    assert 'self.send_header("Connection", "close")' in inspect.getsource(
        WSGIRequestHandler.run_wsgi
    )
    assert list(inspect.signature(BaseWSGIServer.log).parameters) == [
        "self",
        "type",
        "message",
        "args",
    ]


def test_werkzeug_marks_a_chunked_request_body_as_terminated_input():
    """keepalive closes the connection after a chunked request (wsgi.input_terminated)."""
    from werkzeug.serving import WSGIRequestHandler

    source = inspect.getsource(WSGIRequestHandler.make_environ)
    assert 'environ["wsgi.input_terminated"] = True' in source
    assert '"wsgi.input": self.rfile' in source


def test_a_limited_stream_can_be_exhausted():
    """keepalive reads what the application left of a body with LimitedStream.exhaust."""
    import io

    from werkzeug.wsgi import LimitedStream

    raw = io.BytesIO(b"bodyNEXT")
    stream = LimitedStream(raw, 4)
    stream.read(1)
    stream.exhaust()

    assert raw.read() == b"NEXT"


def test_the_http_server_logs_an_idle_timeout_with_this_format():
    """keepalive.log_error drops exactly this line (an idle kept-alive connection)."""
    from http.server import BaseHTTPRequestHandler

    source = inspect.getsource(BaseHTTPRequestHandler.handle_one_request)
    assert 'self.log_error("Request timed out: %r", e)' in source


def test_jsonschema_takes_only_is_valid_syntax_from_rfc3987_syntax():
    """lab/sandbox/lazy_imports.py defers rfc3987_syntax behind a stand-in for this name.

    If jsonschema takes more from it, or moto stops importing jsonschema, update DEFERRED.
    """
    import importlib.util
    import pathlib

    from lab.sandbox import lazy_imports

    def package_dir(name: str) -> pathlib.Path:  # found without importing the package
        return pathlib.Path(importlib.util.find_spec(name).submodule_search_locations[0])

    lines = (package_dir("jsonschema") / "_format.py").read_text().splitlines()
    imports = [line.strip() for line in lines if "rfc3987_syntax" in line and "import" in line]
    assert imports == ["from rfc3987_syntax import is_valid_syntax as _rfc3987_is_valid_syntax"]
    assert lazy_imports.DEFERRED == {"rfc3987_syntax": ("is_valid_syntax",)}
    helpers = (package_dir("rfc3987_syntax") / "syntax_helpers.py").read_text()
    assert "def is_valid_syntax(term: str, value: str)" in helpers
    apigateway = (package_dir("moto") / "apigateway" / "models.py").read_text()
    assert "from openapi_spec_validator import" in apigateway


def test_ec2_regions_and_zones_are_the_same_with_one_shared_session():
    """lazy_imports.import_with_one_session imports this module with one botocore session.

    moto's module makes argument-less boto3 Sessions at import (the seam shares one among
    them); what it builds from them must be what it builds without the seam, and afterwards
    the module and boto3 hold boto3's own Session again.
    """
    import pathlib
    import subprocess
    import sys

    import boto3

    from lab.sandbox import lazy_imports, seams

    (module,) = lazy_imports.SHARED_SESSION_IMPORTS
    seams.install("lab.sandbox.lazy_imports")
    source = pathlib.Path(importlib.util.find_spec(module).origin).read_text()
    assert "from boto3 import Session" in source
    assert source.count("Session().get_available_regions(") == 3  # one per partition
    assert source.count("Session().get_available_regions(\"ec2\", partition_name=") == 2
    loaded = importlib.import_module(module)
    assert loaded.Session is boto3.session.Session is boto3.Session

    def listing(backend) -> list:
        regions = [(r.name, r.endpoint, r.opt_in_status) for r in backend.regions]
        zones = {name: [(z.name, z.zone_id, z.zone_type) for z in found]
                 for name, found in backend.zones.items()}
        return [regions, zones]

    script = (
        f"import json, importlib; B = importlib.import_module({module!r}).RegionsAndZonesBackend; "
        "print(json.dumps([[(r.name, r.endpoint, r.opt_in_status) for r in B.regions], "
        "{n: [(z.name, z.zone_id, z.zone_type) for z in f] for n, f in B.zones.items()}]))"
    )
    plain = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    shared = json.loads(json.dumps(listing(loaded.RegionsAndZonesBackend)))
    assert json.loads(plain.stdout) == shared and len(shared[0]) > 20
