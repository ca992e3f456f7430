"""TestState of a mocked Map: its items after ItemsPointer, ItemSelector and ItemBatcher.

https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html ("Understanding
Map state inspection data"): ``afterItemsPointer`` is "the effective input after the
ItemsPointer filter is applied … only applicable to JSON inputs", ``afterItemBatcher`` "an
array containing the input values after the ItemBatcher grouping is applied. This shows how
items are grouped into batches"; botocore's ``InspectionData`` has both as strings. The
batches are built as input-output-itembatcher.html describes the input of each child
workflow: ``{"BatchInput": …, "Items": [...]}`` (``BatchInput`` only when declared), at most
``MaxItemsPerBatch`` items and ``MaxInputBytesPerBatch`` bytes (default 256 KiB) each, from the
items after ``ItemSelector``.

moto 5.2.5's ASL grammar reads neither ``ItemBatcher`` nor ``ReaderConfig.ItemsPointer``; a
mocked Map runs no iteration, so :func:`grammar_readable` takes them out of what moto parses
and this module applies them from the raw definition.

Choices (AWS recorded nothing we found): ``ItemsPointer`` is ``ReaderConfig.ItemsPointer``, a
JSON Pointer (RFC 6901) applied to ``stateConfiguration.mapItemReaderData``; a pointer that
does not reach an array fails the state with ``States.Runtime``; a ``*Path`` and a JSONPath
``BatchInput`` read the state's input after ``InputPath``; the batch size is the JSON text's
UTF-8 length.
"""

from __future__ import annotations

import copy
import json
from typing import Any

#: input-output-itembatcher.html: "MaxInputBytesPerBatch … up to 256 KiB".
DEFAULT_MAX_BYTES = 256 * 1024


def grammar_readable(state: dict) -> dict:
    """``state`` without what moto's grammar cannot read and a mocked Map does not run."""
    readable = copy.deepcopy(state)
    readable.pop("ItemBatcher", None)
    reader = readable.get("ItemReader")
    if isinstance(reader, dict) and isinstance(reader.get("ReaderConfig"), dict):
        reader["ReaderConfig"].pop("ItemsPointer", None)
        if not reader["ReaderConfig"]:
            reader.pop("ReaderConfig")
    return readable


def items_pointer(raw_state: dict) -> str | None:
    reader = raw_state.get("ItemReader")
    config = reader.get("ReaderConfig") if isinstance(reader, dict) else None
    pointer = config.get("ItemsPointer") if isinstance(config, dict) else None
    return pointer if isinstance(pointer, str) else None


def resolve_pointer(document: Any, pointer: str) -> Any:
    """RFC 6901: ``pointer`` in ``document``; ``KeyError`` when it does not resolve."""
    if pointer == "":
        return document
    if not pointer.startswith("/"):
        raise KeyError(pointer)
    node = document
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


def pointed_items(raw_state: dict, data: Any) -> Any:
    """The reader data after ``ItemsPointer`` (the data itself without one); ``ValueError``
    with AWS-style words when the pointer does not lead to an array."""
    pointer = items_pointer(raw_state)
    if pointer is None:
        return data
    try:
        found = resolve_pointer(data, pointer)
    except KeyError:
        found = None
    if not isinstance(found, list):
        raise ValueError(f'ItemsPointer "{pointer}" must point to an array in the item '
                         "reader's data.")
    return found


def _bindings(env: Any) -> dict:
    store = env.variable_store
    variables = {**getattr(store, "_outer_scope", {}), **getattr(store, "_inner_scope", {})}
    return {**variables, "states": {
        "input": env.states.get_input(),
        "context": env.states.context_object.context_object_data}}


def _jsonpath(path: str, env: Any) -> Any:
    from moto.stepfunctions.parser.asl.utils.json_path import extract_json

    if path.startswith("$$"):
        return extract_json("$" + path[2:], env.states.context_object.context_object_data)
    return extract_json(path, env.states.get_input())


def _value(batcher: dict, name: str, env: Any, jsonata_state: bool) -> Any:
    from lab.sandbox.stepfunctions import jsonata

    if f"{name}Path" in batcher:
        return _jsonpath(batcher[f"{name}Path"], env)
    value = batcher.get(name)
    if jsonata_state and jsonata.is_expression(value):
        value = jsonata.evaluate(value[2:-2].strip(), _bindings(env))
    return value


def _template(template: Any, env: Any, jsonata_state: bool) -> Any:
    """``BatchInput``: a JSONata template, or a JSONPath payload template (``"k.$"`` keys)."""
    from lab.sandbox.stepfunctions import jsonata

    if jsonata_state:
        if jsonata.is_expression(template):
            value = jsonata.evaluate(template[2:-2].strip(), _bindings(env))
            return None if value is jsonata.UNDEFINED else value
        if isinstance(template, dict):
            return {k: _template(v, env, True) for k, v in template.items()}
        if isinstance(template, list):
            return [_template(v, env, True) for v in template]
        return template
    if isinstance(template, dict):
        return {(k[:-2] if k.endswith(".$") else k):
                (_jsonpath(v, env) if k.endswith(".$") else _template(v, env, False))
                for k, v in template.items()}
    if isinstance(template, list):
        return [_template(v, env, False) for v in template]
    return template


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def batches(raw_state: dict, env: Any, items: list, jsonata_state: bool) -> list | None:
    """The child workflows' inputs the ``ItemBatcher`` makes of ``items``; None without one."""
    batcher = raw_state.get("ItemBatcher")
    if not isinstance(batcher, dict):
        return None
    most_items = _value(batcher, "MaxItemsPerBatch", env, jsonata_state)
    most_bytes = _value(batcher, "MaxInputBytesPerBatch", env, jsonata_state)
    most_items = int(most_items) if most_items is not None else len(items) or 1
    most_bytes = int(most_bytes) if most_bytes is not None else DEFAULT_MAX_BYTES
    head: dict = {}
    if "BatchInput" in batcher:
        head["BatchInput"] = _template(batcher["BatchInput"], env, jsonata_state)
    made: list[dict] = []
    current: list = []
    for item in items:
        trial = {**head, "Items": current + [item]}
        if current and (len(current) >= most_items or _size(trial) > most_bytes):
            made.append({**head, "Items": current})
            current = []
        current.append(item)
    if current:
        made.append({**head, "Items": current})
    return made


def select_items(state: Any, env: Any, items: list) -> list | None:
    """The items after the Map's ``ItemSelector`` (``afterItemSelector``), each with its
    ``$$.Map.Item``; None when the selector fails."""
    context = env.states.context_object.context_object_data
    saved = context.get("Map")
    selected = []
    try:
        for index, item in enumerate(items):
            context["Map"] = {"Item": {"Index": index, "Value": item}}
            env.stack.append(item)
            state.item_selector.eval(env=env)
            selected.append(env.stack.pop())
            if env.stack and env.stack[-1] is item:
                env.stack.pop()
    except Exception:  # noqa: BLE001 - the selector fails per iteration on AWS too; not recorded
        return None
    finally:
        if saved is None:
            context.pop("Map", None)
        else:
            context["Map"] = saved
    return selected
