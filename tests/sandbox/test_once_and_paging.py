"""lab.sandbox.once and lab.sandbox.paging: the two small helpers the sandbox's services share."""

from __future__ import annotations

import threading
import time

from lab.sandbox.once import Once
from lab.sandbox.paging import page


def test_once_makes_its_value_once_when_many_threads_ask_first():
    """The control token and the delivery engine are one per process: a second engine would
    deliver every event twice (recorded behaviour: one DeliveryEngine per sandbox process)."""
    made = []

    def make():
        time.sleep(0.01)  # long enough for every thread to arrive before the first is done
        made.append(object())
        return made[-1]

    once = Once(make)
    got = []
    threads = [threading.Thread(target=lambda: got.append(once.get())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(made) == 1
    assert all(value is made[0] for value in got)


def test_once_set_replaces_the_value_and_made_never_makes_it():
    """set_process_token: the server's token replaces the in-process one; reset() and
    pending() look at the engine without starting it."""
    once = Once(lambda: "made")

    assert once.made is None
    once.set("given")
    assert once.get() == "given" and once.made == "given"


def test_a_list_pages_by_its_limit_and_the_last_page_has_no_token():
    """AWS List operations: at most Limit items, NextToken only while more remain
    (botocore's paginators stop on a page without one)."""
    items = list(range(5))

    first = page(items, 2, None, "Items")
    second = page(items, 2, first["NextToken"], "Items")
    last = page(items, 2, second["NextToken"], "Items")

    assert (first, second) == (
        {"Items": [0, 1], "NextToken": "2"},
        {"Items": [2, 3], "NextToken": "4"},
    )
    assert last == {"Items": [4]}


def test_a_page_without_limit_holds_100_and_a_foreign_token_starts_over():
    """The default page size is 100 (EventBridge's ListConnections and VPC Lattice's
    maxResults both document 100 as the maximum); an unknown token reads from the start."""
    items = list(range(150))

    body = page(items, None, "not-a-number", "items", "nextToken")

    assert len(body["items"]) == 100 and body["items"][0] == 0
    assert body["nextToken"] == "100"
