"""Reading requests safely and writing responses in Intacct's XML shapes.

Requests are untrusted: they are parsed with defusedxml, which refuses entity expansion
and external references. Responses are built with ElementTree (building is safe) and sent
as `text/xml; encoding="UTF-8"`, the content type the Intacct SDK tests record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from werkzeug.wrappers import Response

from sandboxes.intacct import errors, schema

CONTENT_TYPE: Final = 'text/xml; encoding="UTF-8"'


def parse_request(body: bytes) -> Element:
    if not body.strip():
        raise errors.xml_parse_error("Document is empty. Line: 1, column: 1.")
    try:
        root = fromstring(body)
    except ParseError as exc:
        line, column = exc.position
        raise errors.xml_parse_error(f"{_reason(exc)}. Line: {line}, column: {column}.") from exc
    except DefusedXmlException as exc:
        raise errors.xml_parse_error(f"Forbidden XML construct: {exc}") from exc
    return root


def _reason(exc: ParseError) -> str:
    return str(exc).split(":", 1)[0]


def echo_control_fields(body: bytes) -> dict[str, str]:
    """What can be read of the control block from a body too broken to parse.

    Intacct's error page shows senderid and controlid echoed even for malformed XML.
    """
    text = body.decode("utf-8", errors="replace")
    found = {}
    for tag in ("senderid", "controlid", "uniqueid", "dtdversion"):
        match = re.search(rf"<{tag}>([^<]*)</{tag}>", text)
        if match:
            found[tag] = match.group(1)
    return found


def text_of(parent: Element, tag: str) -> str:
    return (parent.findtext(tag) or "").strip()


def add(parent: Element, tag: str, text: Any = None, **attributes: str) -> Element:
    child = SubElement(parent, tag, attributes)
    if text is not None:
        child.text = schema.render(text)
    return child


def error_message(parent: Element, failure: errors.IntacctError) -> Element:
    block = add(parent, "errormessage")
    for detail in failure.details:
        error = add(block, "error")
        add(error, "errorno", detail.errorno)
        add(error, "description", detail.description)
        add(error, "description2", detail.description2)
        add(error, "correction", detail.correction)
    return block


def record_element(
    tag: str, record: dict[str, Any], fields: Iterable[str], owned: Element | None = None
) -> Element:
    element = Element(tag)
    for name in fields:
        add(element, name, record.get(name))
    if owned is not None:
        element.append(owned)
    return element


def xml_response(root: Element, status: int = 200) -> Response:
    payload = tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(payload, status=status, content_type=CONTENT_TYPE)
