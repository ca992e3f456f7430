"""The cost table bills what the stack uses, and nothing AWS includes elsewhere.

Sources: Secrets Manager User Guide, "How Amazon EventBridge uses AWS Secrets Manager"
(the connection secret's storage is included in the API destination's charge); the stack
turns X-Ray tracing and Step Functions logging (vended logs) on; 07 puts custom events
that an API destination delivers (EventBridge pricing page).
"""

from __future__ import annotations

from lab.setup import cost_estimate


def test_the_connections_secret_is_not_billed_and_the_api_keys_is():
    table = cost_estimate(executions=1000)
    secrets = table[table["component"].str.contains("Secrets Manager")]

    assert len(secrets) == 1 and "connection" not in secrets["component"].iloc[0]
    assert abs(secrets["price_usd"].iloc[0] - round(0.40 / 730, 4)) < 1e-9


def test_tracing_vended_logs_events_and_invocations_are_billed_with_a_source():
    table = cost_estimate(executions=1000).set_index("component")
    wanted = ("X-Ray", "vended logs", "custom events", "API destination invocations")

    for word in wanted:
        rows = table[table.index.str.contains(word)]
        assert len(rows) == 1, word
        assert rows["source"].iloc[0].startswith("https://aws.amazon.com/"), word


def test_per_use_rows_scale_with_the_runs():
    table = cost_estimate(executions=2000).set_index("component")
    xray = table[table.index.str.contains("X-Ray")].iloc[0]

    assert xray["usd_per_2000_runs"] == round(0.005 * 2, 4)
