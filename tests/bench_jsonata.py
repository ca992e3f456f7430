"""Benchmark (prints figures; not a test): what JSONata costs against JSONPath per execution.

    .venv/bin/python tests/bench_jsonata.py [--executions 300]

In-process (moto.mock_aws, every extension, the data plane on an ephemeral port), the lab's
architecture built with boto3, then StartSyncExecution (EXPRESS) of the same work written in
both query languages, sequentially:

1. the HTTP Task to the private API: JSONPath (``Parameters`` + ``Authentication``, header
   from ``$$.Execution.Name``) against JSONata (``Arguments`` + ``InvocationConfig``, the same
   header from ``$states.context``, an ``Output`` reshaping the result) - the stack's two
   STANDARD workflows, as EXPRESS;
2. a Pass state transforming its input (4 fields): ``Parameters`` with ``.$`` paths against
   ``Output`` with ``{% %}`` expressions, and ``Assign`` of two variables read by a second state.

Figures depend on the machine; compare the columns, not absolute numbers.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "sandbox")]

import time  # noqa: E402

import http_invoke_builders as support  # noqa: E402
from bench_parse_cache import _client_factory, _summary  # noqa: E402

STATUS_EXPRESSION = "{% $states.result.StatusCode & ' ' & $states.result.StatusText %}"
INPUT = {"order": {"id": "o-1", "total": 12.5, "items": [1, 2, 3]}, "who": "lab"}
PASS_JSONPATH = {
    "StartAt": "A",
    "States": {
        "A": {
            "Type": "Pass",
            "Parameters": {
                "id.$": "$.order.id",
                "total.$": "$.order.total",
                "count.$": "States.ArrayLength($.order.items)",
                "greeting.$": "States.Format('hello {}', $.who)",
            },
            "Assign": {"t.$": "$.total", "w.$": "$.id"},
            "Next": "B",
        },
        "B": {"Type": "Pass", "Parameters": {"t.$": "$t", "w.$": "$w"}, "End": True},
    },
}
PASS_JSONATA = {
    "QueryLanguage": "JSONata",
    "StartAt": "A",
    "States": {
        "A": {
            "Type": "Pass",
            "Output": {
                "id": "{% $states.input.order.id %}",
                "total": "{% $states.input.order.total %}",
                "count": "{% $count($states.input.order.items) %}",
                "greeting": "{% 'hello ' & $states.input.who %}",
            },
            "Assign": {"t": "{% $states.input.order.total %}", "w": "{% $states.input.order.id %}"},
            "Next": "B",
        },
        "B": {"Type": "Pass", "Output": {"t": "{% $t %}", "w": "{% $w %}"}, "End": True},
    },
}


def _time_sync_executions(sfn, arn: str, count: int, payload: str) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        result = sfn.start_sync_execution(stateMachineArn=arn, input=payload)
        samples.append(time.perf_counter() - started)
        assert result["status"] == "SUCCEEDED", result
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=300)
    args = parser.parse_args()

    import json

    from moto import mock_aws

    from lab.sandbox import control, network, seams
    from lab.sandbox.dataplane import serve_in_thread

    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    seams.install()
    control.update_settings({"connection_warmup_seconds": 0})
    server = serve_in_thread()
    network.set_dataplane_address("127.0.0.1", server.server_port)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        aws = _client_factory()
        path = support.build_private_path(aws)
        jsonpath_http = support.http_task_definition(
            path.api.url(), path.connection_arn, headers={"x-lab-execution.$": "$$.Execution.Name"}
        )
        jsonata_http = {
            "QueryLanguage": "JSONata",
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::http:invoke",
                    "Arguments": {
                        "ApiEndpoint": path.api.url(),
                        "Method": "GET",
                        "Headers": {"x-lab-execution": "{% $states.context.Execution.Name %}"},
                        "InvocationConfig": {"ConnectionArn": path.connection_arn},
                    },
                    "Output": {
                        "status": STATUS_EXPRESSION,
                        "body": "{% $states.result.ResponseBody %}",
                        "execution": "{% $states.context.Execution.Name %}",
                    },
                    "End": True,
                }
            },
        }
        sfn = aws("stepfunctions")
        pairs = (
            ("HTTP Task -> private API", jsonpath_http, jsonata_http),
            ("Pass: 4-field transform + Assign/read 2 variables", PASS_JSONPATH, PASS_JSONATA),
        )
        print(f"\nStartSyncExecution x {args.executions}, sequential, in-process (EXPRESS)")
        for index, (label, jsonpath, jsonata) in enumerate(pairs):
            arns = {}
            for flavour, definition in (("JSONPath", jsonpath), ("JSONata", jsonata)):
                arns[flavour] = support.create_state_machine(
                    aws, definition, express=True, name=f"{flavour.lower()}-{index}"
                )
                result = sfn.start_sync_execution(
                    stateMachineArn=arns[flavour], input=json.dumps(INPUT)
                )
                assert result["status"] == "SUCCEEDED", result
            print(f"  {label}")
            medians = {}
            for flavour, arn in arns.items():
                _time_sync_executions(sfn, arn, 20, json.dumps(INPUT))  # warm up
                samples = _time_sync_executions(sfn, arn, args.executions, json.dumps(INPUT))
                medians[flavour] = sorted(samples)[len(samples) // 2]
                print(f"    {flavour:8}: {_summary(samples)}")
            extra = (medians["JSONata"] - medians["JSONPath"]) * 1000
            print(f"    JSONata - JSONPath (median): {extra:+.2f} ms per execution")
    server.shutdown()


if __name__ == "__main__":
    main()
