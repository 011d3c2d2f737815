"""Template reading and intrinsic functions, without a stack."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from devstack.template import Evaluator, TemplateError, load_template, merge_globals

FIXTURE_TEMPLATE = Path(__file__).parent / "fixtures" / "template.yaml"


def evaluator_for(tmp_path: Path, text: str, **overrides) -> Evaluator:
    path = tmp_path / "template.yaml"
    path.write_text(text)
    template = load_template(path, overrides)
    return Evaluator(
        template,
        ref_resource=lambda lid: f"ref-of-{lid}",
        get_att=lambda lid, attribute: f"{lid}-{attribute}",
    )


TEXT = """
Parameters:
  Stage: {Type: String, Default: dev}
  Secretless: {Type: String}
Conditions:
  IsDev: !Equals [!Ref Stage, dev]
  IsProd: !Not [!Condition IsDev]
Mappings:
  Sizes: {dev: {Memory: 128}}
Globals:
  Function:
    Timeout: 10
    Layers: [global-layer]
    Environment: {Variables: {A: "1", B: "2"}}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Layers: [own-layer]
      Environment: {Variables: {B: own}}
      Values:
        sub: !Sub "${AWS::StackName}-${Stage}-${Queue.Arn}-${!Literal}"
        sub_list: !Sub ["${X}/${Queue}", {X: !Ref Stage}]
        getatt: !GetAtt Queue.QueueName
        join: !Join [",", [a, !Ref Stage]]
        select: !Select [1, !Split ["/", "a/b/c"]]
        if_no_value: !If [IsProd, yes, !Ref "AWS::NoValue"]
        if_value: !If [IsDev, dev-only, other]
        in_list: [one, !If [IsProd, two, !Ref "AWS::NoValue"]]
        mapping: !FindInMap [Sizes, !Ref Stage, Memory]
        both: !And [!Condition IsDev, !Or [false, true]]
        base64: !Base64 hi
        azs: !Select [0, !GetAZs ""]
        imported: !ImportValue other-stack-output
  Queue: {Type: AWS::SQS::Queue}
"""


def test_short_tags_and_intrinsics_evaluate_like_cloudformation(tmp_path):
    evaluator = evaluator_for(tmp_path, TEXT)
    values = evaluator.resolve(evaluator.template.resources["Fn"]["Properties"]["Values"])
    assert values == {
        "sub": "salesbridge-local-dev-Queue-Arn-${Literal}",
        "sub_list": "dev/ref-of-Queue",
        "getatt": "Queue-QueueName",
        "join": "a,dev",
        "select": "b",
        "if_value": "dev-only",
        "in_list": ["one"],
        "mapping": 128,
        "both": True,
        "base64": "aGk=",
        "azs": "us-east-1a",
        "imported": "imported:other-stack-output",
    }


def test_globals_merge_maps_concatenate_lists_and_let_the_function_win(tmp_path):
    evaluator = evaluator_for(tmp_path, TEXT)
    properties = evaluator.template.resources["Fn"]["Properties"]
    assert properties["Timeout"] == 10
    assert properties["Layers"] == ["global-layer", "own-layer"]
    assert properties["Environment"]["Variables"] == {"A": "1", "B": "own"}
    assert merge_globals({"Ref": "X"}, {"Ref": "Y"}) == {"Ref": "Y"}


def test_parameter_overrides_and_missing_parameters(tmp_path):
    evaluator = evaluator_for(tmp_path, TEXT, Stage="prod")
    assert evaluator.condition("IsProd") is True
    with pytest.raises(TemplateError, match="Secretless"):
        evaluator.resolve({"Ref": "Secretless"})


# -- fidelity: the local stack reads a template as the real SAM transform does -------------------

REPO = Path(__file__).resolve().parents[2]
SAM_PYTHON = REPO / ".venv-sam" / "bin" / "python"
RUNTIME_PROPERTIES = ("Runtime", "Handler", "Timeout", "MemorySize", "Architectures")
RUNTIME_PROPERTIES += ("Environment", "LoggingConfig")


def sam_transform(path: Path) -> dict:
    """The CloudFormation SAM makes of `path` (its translator lives in .venv-sam)."""
    script = Path(__file__).with_name("sam_transform.py")
    done = subprocess.run(
        [str(SAM_PYTHON), str(script), str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)["Resources"]


def layer_refs(layers: list) -> list:
    """SAM renames a LayerVersion `X` to `X<hash>`; compare the names the template gave."""
    return [{"Ref": re.sub(r"[0-9a-f]{10}$", "", layer["Ref"])} for layer in layers]


@pytest.mark.skipif(not SAM_PYTHON.exists(), reason="the SAM CLI (.venv-sam) is not installed")
@pytest.mark.parametrize(
    "path", [REPO / "template.yaml", FIXTURE_TEMPLATE], ids=["project", "fixture"]
)
def test_globals_and_events_read_as_the_sam_transform_makes_them(path: Path) -> None:
    translated = sam_transform(path)
    template = load_template(path)
    functions = template.of_type("AWS::Serverless::Function")
    assert functions
    for logical_id, function in functions.items():
        ours, sams = function["Properties"], translated[logical_id]["Properties"]
        for name in RUNTIME_PROPERTIES:
            assert ours.get(name) == sams.get(name), f"{logical_id}.{name}"
        assert layer_refs(ours.get("Layers", [])) == layer_refs(sams.get("Layers", []))
        tracing = ours.get("Tracing")
        assert (sams.get("TracingConfig") or {}).get("Mode") == tracing, logical_id
        for event_id, event in (ours.get("Events") or {}).items():
            spec, made = event.get("Properties", {}), translated.get(f"{logical_id}{event_id}")
            match event["Type"]:
                case "SQS":
                    assert made["Properties"]["EventSourceArn"] == spec["Queue"]
                    assert made["Properties"].get("BatchSize") == spec.get("BatchSize")
                case "Schedule":
                    assert made["Properties"]["ScheduleExpression"] == spec["Schedule"]
                case "Api":
                    api = spec.get("RestApiId", {"Ref": "ServerlessRestApi"})["Ref"]
                    paths = translated[api]["Properties"]["Body"]["paths"]
                    method = spec["Method"].lower()  # SAM spells ANY as API Gateway's extension
                    method = "x-amazon-apigateway-any-method" if method == "any" else method
                    assert method in paths[spec["Path"]], f"{logical_id}.{event_id}"
