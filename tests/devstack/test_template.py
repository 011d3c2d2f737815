"""Template reading and intrinsic functions, without a stack."""

from pathlib import Path

import pytest

from devstack.template import Evaluator, TemplateError, load_template, merge_globals


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
