"""Private API Lab helpers: each notebook cell is one short call into this package.

Names are imported lazily so ``import lab`` stays fast in a kernel.

Imports go down: the notebook-facing modules (``harness``, ``executions``, ``event_delivery``,
``failures``, ``variants`` -> ``lambda_proxy`` -> ``deployment``, ``before_after`` ->
``before_after_runs`` -> ``harness`` ...) import the leaves (``config``, ``errors``,
``masking``, ``waiting``, ``clients``, ``http_answer``, ``timed_execution``) and
``lab.sandbox``; ``lab.sandbox`` imports only ``config``, ``errors`` and ``masking`` of this
package. ``tests/test_structure.py`` checks there is no circle.
"""

from __future__ import annotations

import importlib
import os

# jsii prints a banner about Node versions it has not tested; it is noise in
# notebook output and in CLI output.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")

from lab.config import LabConfig, load_config  # noqa: E402
from lab.errors import LabError  # noqa: E402

# public name -> module that defines it
_LAZY = {
    "client": "lab.clients",
    "synth": "lab.synthesis",
    "deploy": "lab.variants",
    "destroy": "lab.variants",
    "outputs": "lab.deployment",
    "ensure_deployed": "lab.deployment",
    # 00 setup
    "use": "lab.setup",
    "environment_checks": "lab.setup",
    "prepare": "lab.setup",
    "cost_estimate": "lab.setup",
    "preflight": "lab.preflight",
    # 01-04 inspection
    "template_resources": "lab.inspect",
    "outputs_table": "lab.inspect",
    "resource_gateway": "lab.inspect",
    "resource_gateway_enis": "lab.inspect",
    "check_gateway_enis": "lab.inspect",
    "resource_configuration": "lab.inspect",
    "vpc_endpoint_dns_entries": "lab.inspect",
    "resolve_dns_target": "lab.inspect",
    "check_dns_target": "lab.inspect",
    "connection": "lab.inspect",
    "connection_timeline": "lab.inspect",
    # 05 executions
    "run_once": "lab.executions",
    "execution_events": "lab.executions",
    "private_api_requests": "lab.executions",
    "private_api_request_headers": "lab.executions",
    "sandbox_request_log": "lab.executions",
    # 05b TestState
    "http_task_state": "lab.debugging",
    "trace_http_task": "lab.debugging",
    "request_headers": "lab.debugging",
    "connection_header_present": "lab.debugging",
    "http_response_mock": "lab.state_tests",
    "socket_error_mock": "lab.state_tests",
    "try_http_task": "lab.state_tests",
    "walk_retrier": "lab.state_tests",
    "app_http_task_state": "lab.state_tests",
    "run": "lab.harness",
    "summary": "lab.results",
    "plot_ecdf": "lab.results",
    "plot_histogram": "lab.results",
    "compare": "lab.results",
    "save_results": "lab.results:save",
    "load_results": "lab.results:load",
    # 01-05 predictions, answered by the learner's own run
    "prediction": "lab.predictions",
    "reveal_prediction": "lab.predictions",
    # 06 failure labs
    "failure_scenarios": "lab.failures:scenarios",
    "run_failure": "lab.failures:run_scenario",
    "check_failure": "lab.failures:check",
    "failure_table": "lab.failures",
    "broken": "lab.failures",
    "repair_all": "lab.failures",
    "redrive": "lab.redriving",
    "redrivable_executions": "lab.redriving",
    # 07 EventBridge API destination
    "send_events": "lab.event_delivery",
    "received_events": "lab.event_delivery",
    "received_body": "lab.event_delivery",
    "dead_letters": "lab.event_delivery",
    "event_delivery_metrics": "lab.event_delivery:delivery_metrics",
    "account_events": "lab.event_delivery:account",
    "event_latency_table": "lab.event_delivery:latency_table",
    "redrive_events": "lab.event_delivery:redrive",
    # 08 build exercises
    "check": "lab.exercises",
    "hint": "lab.exercises",
    "solution": "lab.exercises",
    "reference": "lab.exercises",
    "apply_answer": "lab.exercises",
    "progress": "lab.exercises",
    # 09 troubleshooting
    "mystery": "lab.mysteries",
    "diagnose": "lab.mysteries",
    "reveal": "lab.mysteries",
    "end_mystery": "lab.mysteries:repair",
    # 10 before and after
    "owned_code": "lab.before_after",
    "code_totals": "lab.before_after",
    "before_after_cost": "lab.before_after:cost_comparison",
    "cost_totals": "lab.before_after",
    "plot_before_after": "lab.before_after:plot_latency",
    "figures_note": "lab.before_after",
    "before_after_latency": "lab.before_after_runs:latency",
    "before_after_medians": "lab.before_after:latency_medians",
    "lambda_figures": "lab.before_after_runs",
    "before_after_failures": "lab.before_after_runs:failure_comparison",
    # 99 cleanup
    "leftovers": "lab.cleanup",
    "stop_sandbox": "lab.cleanup",
}

__all__ = ["LabConfig", "LabError", "load_config", *_LAZY]

# In a Jupyter kernel, every table and bar reads the same way from the first
# cell on (lab.display); elsewhere this does nothing.
from lab import display as _display  # noqa: E402

_display.apply()


def __getattr__(name: str):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'lab' has no attribute {name!r}")
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr or name)
