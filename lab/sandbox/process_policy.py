"""Process-wide policies of the sandbox's processes: garbage collection and header parsing.

The sandbox server (:mod:`lab.sandbox.server`) and the data plane's own process
(:mod:`lab.sandbox.dataplane.process`) both apply them; both import this module, which
imports neither (only :mod:`lab.sandbox.fast_headers`, when asked to install it).
"""

from __future__ import annotations

import gc

__all__ = ["GC_THRESHOLDS", "apply_gc_policy", "use_fast_header_parser"]


#: The sandbox processes' garbage-collector thresholds (Python's default: 700, 10, 10). An execution
#: allocates thousands of container objects that reference counting frees, yet each 700 of
#: them started a young collection over everything in flight, and a full collection of the
#: sandbox's heap takes 250-300 ms. Measured with gc callbacks (load ~4-7): 800 EXPRESS
#: executions at concurrency 8 spent 473-567 ms collecting with the default, 119-123 ms
#: with (20000, 50, 100); 1500 EXPRESS at concurrency 8 plus a 500-execution soak spent
#: 729 ms with the default and 352 ms with these, the process growing 281 -> 309 MB and
#: 281 -> 308 MB. A deploy's 914-1181 ms of collection fell to 527-606 ms.
GC_THRESHOLDS = (20_000, 50, 20)


def apply_gc_policy() -> None:
    """Set :data:`GC_THRESHOLDS` (the server process only: in-process tests keep Python's)."""
    gc.set_threshold(*GC_THRESHOLDS)


def use_fast_header_parser() -> None:
    """Parse every HTTP header block in this process with :mod:`lab.sandbox.fast_headers`.

    ``http.client.parse_headers`` (the email package's parser) took 16% of the server's GIL
    time under EXPRESS executions at concurrency 8: it parses every request this server
    reads (``http.server`` calls ``http.client.parse_headers`` at call time) and every
    response the HTTP Task's transport reads from the data plane (``HTTPResponse.begin``
    calls the module's ``parse_headers``). The replacement gives the very message the
    stdlib gives (``tests/contracts/test_fast_headers.py``). It is the server process's
    policy, like :func:`apply_gc_policy`, not a seam: :mod:`lab.sandbox.seams` is
    installed in every process that runs moto in-process (tests, benchmarks), and those
    keep the standard library's parser.
    """
    from lab.sandbox import fast_headers

    fast_headers.install()
