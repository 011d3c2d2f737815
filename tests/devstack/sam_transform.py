"""Prints the CloudFormation the real SAM transform makes of a template (run by .venv-sam's python).

The SAM translator lives with the SAM CLI in `.venv-sam`, not in the project's `.venv`; the
fidelity test in test_template.py runs this file there. As `sam validate` does, local code paths
become placeholder S3 URIs (the translator accepts only those) and no managed policy is looked up.
"""

import json
import os
import sys

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


class NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


def main(path: str) -> None:
    with open(path) as file:
        document = yaml_parse(file.read())
    code = document.get("Globals", {}).get("Function", {})
    if isinstance(code.get("CodeUri"), str):
        code["CodeUri"] = "s3://local/code"
    for resource in document["Resources"].values():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str):
                properties[key] = "s3://local/code"
    json.dump(transform(document, {}, NoManagedPolicies()), sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
