from __future__ import annotations

import io
import json
import logging

from shared.observability import MASK, MaskingFormatter, mask_personal_data


def test_personal_keys_are_masked_at_any_depth() -> None:
    record = {
        "customer": {"CustomerName": "Larry Leap", "Email": "larry@example.com", "code": "ALP"},
        "contacts": [{"phone": "+1 555", "id": "c1"}],
        "job_id": "netsuite:salesorder:1:v",
    }
    masked = mask_personal_data(record)
    assert masked["customer"] == {"CustomerName": MASK, "Email": MASK, "code": "ALP"}
    assert masked["contacts"] == [{"phone": MASK, "id": "c1"}]
    assert masked["job_id"] == record["job_id"]


def test_the_log_formatter_masks_structured_fields() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter(service="salesbridge"))
    log = logging.getLogger("masking-test")
    log.addHandler(handler)
    log.warning("customer synced", extra={"email": "larry@example.com", "code": "ALP"})
    line = json.loads(stream.getvalue())
    assert line["email"] == MASK and line["code"] == "ALP"
    assert "larry@example.com" not in stream.getvalue()
