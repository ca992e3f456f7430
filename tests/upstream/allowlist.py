"""moto tests that fail with the sandbox's extensions on purpose, each with its reason.

Keys are junit test ids (``<module>::<test name>``) as ``run.py`` prints them. An entry
belongs here only where the sandbox is deliberately closer to AWS than moto is; anything
else is a bug to fix in the sandbox.
"""

ALLOWED: dict[str, str] = {}
