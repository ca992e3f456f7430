"""The MOCK integration: request template -> status code -> integration response -> body.

API Gateway renders mapping templates with Velocity (VTL). The sandbox implements the
small part of VTL that MOCK integrations use in practice: ``$context.<name>``,
``$stageVariables.<name>``, ``$input.params('<name>')`` and ``$input.params().header``
lookups are substituted; every other character is copied as written. A template that
needs loops or conditionals renders literally (documented in the README).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_STATUS = re.compile(r'"?statusCode"?\s*:\s*"?(\d{3})"?')
_CONTEXT = re.compile(r"\$(?:\{)?context\.([A-Za-z0-9_.]+)(?:\})?")
_STAGE_VARIABLE = re.compile(r"\$(?:\{)?stageVariables\.([A-Za-z0-9_]+)(?:\})?")
_INPUT_PARAM = re.compile(r"\$input\.params\(\s*'([^']+)'\s*\)")
_HEADER_PARAM = re.compile(r"\$input\.params\(\)\.header\.get\(\s*'([^']+)'\s*\)")


@dataclass
class TemplateScope:
    """Values a mapping template can refer to."""

    context: dict[str, str] = field(default_factory=dict)
    stage_variables: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    query: dict[str, str] = field(default_factory=dict)
    path: dict[str, str] = field(default_factory=dict)


@dataclass
class MockResult:
    """What the integration answered: status, body, content type and mapped headers."""

    status: int
    body: str
    content_type: str
    headers: dict[str, str]


class IntegrationConfigurationError(Exception):
    """The integration cannot answer (API Gateway returns 500 Internal server error)."""


def render(template: str | None, scope: TemplateScope) -> str:
    """Render the supported subset of VTL in ``template``."""
    if not template:
        return ""
    text = _HEADER_PARAM.sub(lambda m: scope.headers.get(m.group(1).lower(), ""), template)

    def param(match: re.Match) -> str:
        name = match.group(1)
        # $input.params('x') searches path, then query string, then headers.
        return scope.path.get(name) or scope.query.get(name) or scope.headers.get(name.lower(), "")

    text = _INPUT_PARAM.sub(param, text)
    text = _CONTEXT.sub(lambda m: str(scope.context.get(m.group(1), "")), text)
    return _STAGE_VARIABLE.sub(lambda m: str(scope.stage_variables.get(m.group(1), "")), text)


def _pick_template(templates: dict[str, Any] | None, content_type: str | None) -> tuple[str, str]:
    if not templates:
        return "application/json", ""
    if content_type and content_type in templates:
        return content_type, templates[content_type] or ""
    if "application/json" in templates:
        return "application/json", templates["application/json"] or ""
    first = next(iter(templates))
    return first, templates[first] or ""


def _status_from_request_template(rendered: str) -> int:
    if not rendered.strip():
        return 200
    match = _STATUS.search(rendered)
    if match is None:
        raise IntegrationConfigurationError(
            "Execution failed due to configuration error: Unable to parse statusCode."
        )
    return int(match.group(1))


def _select_integration_response(responses: dict[str, Any], status: int):
    default = None
    for response in responses.values():
        pattern = response.selection_pattern
        if pattern:
            if re.fullmatch(pattern, str(status)):
                return response
        elif default is None:
            default = response
    return default


def _mapped_headers(parameters: dict[str, str] | None, scope: TemplateScope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for target, source in (parameters or {}).items():
        prefix = "method.response.header."
        if not target.startswith(prefix):
            continue
        name = target[len(prefix) :]
        if source.startswith("'") and source.endswith("'"):
            headers[name] = source[1:-1]
        elif source.startswith("context."):
            headers[name] = str(scope.context.get(source[len("context.") :], ""))
        elif source.startswith("stageVariables."):
            headers[name] = str(scope.stage_variables.get(source[len("stageVariables.") :], ""))
    return headers


def invoke(integration: Any, scope: TemplateScope, request_content_type: str | None) -> MockResult:
    """Run a MOCK ``integration`` (moto's ``Integration`` model) for one request."""
    _, request_template = _pick_template(integration.request_templates, request_content_type)
    status = _status_from_request_template(render(request_template, scope))
    chosen = _select_integration_response(integration.integration_responses or {}, status)
    if chosen is None:
        raise IntegrationConfigurationError(
            "Execution failed due to configuration error: No match for output mapping "
            "and no default output mapping configured."
        )
    content_type, response_template = _pick_template(chosen.response_templates, None)
    body = render(response_template, scope)
    return MockResult(
        status=int(chosen.status_code),
        body=body,
        content_type=content_type,
        headers=_mapped_headers(chosen.response_parameters, scope),
    )
