"""Reads a SAM template and evaluates its intrinsic functions, as CloudFormation would.

`load_template` understands the YAML short tags (`!Ref`, `!GetAtt`, `!Sub` ...) by turning them
into their long form (`{"Ref": ...}`, `{"Fn::GetAtt": [...]}`), then merges `Globals` into the
resources the way the SAM transform does. `Evaluator` resolves intrinsics against parameters,
pseudo parameters, conditions, mappings and a callback that answers `Ref` / `Fn::GetAtt` of
resources (the provisioner creates a resource the first time something refers to it).

Where the documentation is silent (or the local stack has to choose):
- `Fn::ImportValue` cannot be answered offline: it evaluates to "imported:<name>".
- `Fn::GetAZs` answers the region's a, b and c zones.
- `AWS::NoValue` drops the key or list item it appears in, as CloudFormation does.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
STACK_NAME = "salesbridge-local"

PSEUDO_PARAMETERS: dict[str, Any] = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::StackName": STACK_NAME,
    "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/local",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::NotificationARNs": [],
}

_NO_VALUE = object()  # what Ref AWS::NoValue evaluates to before it is pruned


class TemplateError(Exception):
    """The template uses something the local stack cannot evaluate."""


# -- YAML short tags -----------------------------------------------------------------------


class CloudFormationLoader(yaml.SafeLoader):
    """A safe loader that also reads CloudFormation's `!Tag` short forms."""


def _long_name(tag: str) -> str:
    return tag if tag in ("Ref", "Condition") else f"Fn::{tag}"


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":  # `!GetAtt Resource.Attribute` (attribute may contain dots)
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {_long_name(tag_suffix): value}


CloudFormationLoader.add_multi_constructor("!", _construct_tag)


def load_yaml(path: Path) -> dict[str, Any]:
    document = yaml.load(path.read_text(), Loader=CloudFormationLoader)  # noqa: S506
    if not isinstance(document, dict) or "Resources" not in document:
        raise TemplateError(f"{path} is not a CloudFormation template (no Resources)")
    return document


# -- Globals ----------------------------------------------------------------------------------

_GLOBAL_SECTIONS = {
    "Function": "AWS::Serverless::Function",
    "Api": "AWS::Serverless::Api",
    "HttpApi": "AWS::Serverless::HttpApi",
    "SimpleTable": "AWS::Serverless::SimpleTable",
    "LayerVersion": "AWS::Serverless::LayerVersion",
}


def merge_globals(global_value: Any, local_value: Any) -> Any:
    """SAM's rule: maps merge key by key (local wins), lists concatenate, scalars are replaced."""
    if isinstance(global_value, dict) and isinstance(local_value, dict):
        if _is_intrinsic(global_value) or _is_intrinsic(local_value):
            return copy.deepcopy(local_value)
        merged = copy.deepcopy(global_value)
        for key, value in local_value.items():
            merged[key] = merge_globals(merged[key], value) if key in merged else value
        return merged
    if isinstance(global_value, list) and isinstance(local_value, list):
        return copy.deepcopy(global_value) + copy.deepcopy(local_value)
    return copy.deepcopy(local_value)


def _is_intrinsic(value: dict[str, Any]) -> bool:
    return len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref"))


def apply_globals(document: dict[str, Any]) -> dict[str, Any]:
    resources: dict[str, Any] = copy.deepcopy(document["Resources"])
    for section, resource_type in _GLOBAL_SECTIONS.items():
        defaults = document.get("Globals", {}).get(section)
        if not defaults:
            continue
        for resource in resources.values():
            if resource.get("Type") == resource_type:
                resource["Properties"] = merge_globals(defaults, resource.get("Properties", {}))
    return resources


@dataclass
class Template:
    path: Path
    document: dict[str, Any]
    resources: dict[str, dict[str, Any]]
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def directory(self) -> Path:
        return self.path.parent

    @property
    def api_globals(self) -> dict[str, Any]:
        return dict(self.document.get("Globals", {}).get("Api", {}))

    def of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        return {lid: res for lid, res in self.resources.items() if res.get("Type") in types}


def load_template(path: Path, parameter_overrides: dict[str, Any] | None = None) -> Template:
    document = load_yaml(path)
    parameters = {
        name: spec.get("Default")
        for name, spec in document.get("Parameters", {}).items()
        if "Default" in spec
    }
    parameters.update(parameter_overrides or {})
    return Template(path.resolve(), document, apply_globals(document), parameters)


# -- Intrinsic functions ------------------------------------------------------------------------

RefResolver = Callable[[str], Any]
GetAttResolver = Callable[[str, str], Any]

_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


class Evaluator:
    """Evaluates intrinsic functions. Resources are answered by the two callbacks."""

    def __init__(
        self,
        template: Template,
        ref_resource: RefResolver,
        get_att: GetAttResolver,
    ) -> None:
        self.template = template
        self._ref_resource = ref_resource
        self._get_att = get_att
        self._conditions: dict[str, bool] = {}

    # public --------------------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        result = self._eval(value)
        return None if result is _NO_VALUE else result

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            spec = self.template.document.get("Conditions", {}).get(name)
            if spec is None:
                raise TemplateError(f"unknown condition {name}")
            self._conditions[name] = bool(self._eval(spec))
        return self._conditions[name]

    def is_enabled(self, resource: dict[str, Any]) -> bool:
        name = resource.get("Condition")
        return True if name is None else self.condition(str(name))

    # evaluation ------------------------------------------------------------------------------

    def _eval(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self._eval(item) for item in value]
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            handler = self._FUNCTIONS.get(key)
            if handler is not None:
                return handler(self, argument)
        evaluated = {key: self._eval(item) for key, item in value.items()}
        return {key: item for key, item in evaluated.items() if item is not _NO_VALUE}

    def _ref(self, name: Any) -> Any:
        name = self._eval(name)
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        if name in self.template.parameters:
            return self.template.parameters[name]
        if name in self.template.document.get("Parameters", {}):
            raise TemplateError(f"parameter {name} has no Default and no override")
        return self._ref_resource(str(name))

    def _getatt(self, argument: Any) -> Any:
        argument = self._eval(argument)
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        logical_id, attribute = argument
        return self._get_att(str(logical_id), str(attribute))

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, list):
            text, variables = argument[0], self._eval(argument[1])
        else:
            text, variables = argument, {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} stays as ${Literal}
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and name not in PSEUDO_PARAMETERS:
                logical_id, attribute = name.split(".", 1)
                return str(self._get_att(logical_id, attribute))
            return str(self._ref(name))

        return _SUB_VARIABLE.sub(replace, str(text))

    def _join(self, argument: Any) -> str:
        delimiter, items = self._eval(argument)
        return str(delimiter).join(str(item) for item in items)

    def _select(self, argument: Any) -> Any:
        index, items = self._eval(argument)
        return items[int(index)]

    def _split(self, argument: Any) -> list[str]:
        delimiter, text = self._eval(argument)
        return str(text).split(str(delimiter))

    def _if(self, argument: Any) -> Any:
        name, when_true, when_false = argument
        return self._eval(when_true if self.condition(str(name)) else when_false)

    def _equals(self, argument: Any) -> bool:
        left, right = self._eval(argument)
        return bool(left == right)

    def _not(self, argument: Any) -> bool:
        return not self._eval(argument)[0]

    def _and(self, argument: Any) -> bool:
        return all(self._eval(argument))

    def _or(self, argument: Any) -> bool:
        return any(self._eval(argument))

    def _condition(self, argument: Any) -> bool:
        return self.condition(str(argument))

    def _find_in_map(self, argument: Any) -> Any:
        map_name, top_key, second_key = self._eval(argument)[:3]
        return self.template.document["Mappings"][map_name][top_key][second_key]

    def _import_value(self, argument: Any) -> str:
        return f"imported:{self._eval(argument)}"

    def _base64(self, argument: Any) -> str:
        return base64.b64encode(str(self._eval(argument)).encode()).decode()

    def _get_azs(self, argument: Any) -> list[str]:
        region = self._eval(argument) or REGION
        return [f"{region}{zone}" for zone in "abc"]

    def _to_json_string(self, argument: Any) -> str:
        return json.dumps(self._eval(argument), separators=(",", ":"))

    def _length(self, argument: Any) -> int:
        return len(self._eval(argument))

    _FUNCTIONS: ClassVar[dict[str, Callable[[Evaluator, Any], Any]]] = {
        "Ref": _ref,
        "Fn::GetAtt": _getatt,
        "Fn::Sub": _sub,
        "Fn::Join": _join,
        "Fn::Select": _select,
        "Fn::Split": _split,
        "Fn::If": _if,
        "Fn::Equals": _equals,
        "Fn::Not": _not,
        "Fn::And": _and,
        "Fn::Or": _or,
        "Condition": _condition,
        "Fn::FindInMap": _find_in_map,
        "Fn::ImportValue": _import_value,
        "Fn::Base64": _base64,
        "Fn::GetAZs": _get_azs,
        "Fn::ToJsonString": _to_json_string,
        "Fn::Length": _length,
    }
