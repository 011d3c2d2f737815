"""Reading: readByQuery + readMore paging, query strings, the query function, AR payments."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

import pytest

from sandboxes.common import SandboxAdmin

from .conftest import BASIC_SEED, IntacctCaller


def _document(docno: str, customer: str, total_qty: int, modified: str, **more: Any) -> dict:
    return {
        "DOCPARID": more.pop("DOCPARID", "Sales Invoice"),
        "DOCNO": docno,
        "CUSTVENDID": customer,
        "WHENCREATED": "10/01/2026",
        "WHENMODIFIED": modified,
        "lines": [{"ITEMID": "STOVE-1", "QUANTITY": total_qty}],
        **more,
    }


HISTORY = {
    **BASIC_SEED,
    "documents": [
        _document("INV-1", "C-ALPINE", 1, "10/01/2026 09:00:00"),
        _document("INV-2", "C-ALPINE", 2, "10/15/2026 09:00:00", PONUMBER="PO-2"),
        _document("INV-3", "C-COASTAL", 3, "11/01/2026 09:00:00"),
        _document("SO-1", "C-ALPINE", 4, "11/05/2026 09:00:00", DOCPARID="Sales Order"),
        _document("INV-4", "C-ALPINE", 5, "11/10/2026 17:30:00", PONUMBER="PO-4'X"),
    ],
    "payments": [
        {
            "invoice": "Sales Invoice-INV-2",
            "AMOUNT": 50,
            "PAYMENTMETHOD": "Check",
            "WHENPAID": "10/20/2026",
            "DOCNUMBER": "CHK-1001",
            "WHENMODIFIED": "10/20/2026 10:00:00",
        }
    ],
}


@pytest.fixture
def history(admin: SandboxAdmin) -> dict[str, Any]:
    return admin.seed(HISTORY)


def read_by_query(object_name: str, query: str, fields: str = "*", pagesize: int = 100) -> str:
    return (
        f"<readByQuery><object>{object_name}</object><fields>{fields}</fields>"
        f"<query>{query}</query><pagesize>{pagesize}</pagesize></readByQuery>"
    )


def _data(result: Element) -> Element:
    data = result.find("data")
    assert data is not None
    return data


def _docnos(data: Element, tag: str = "sodocument") -> list[str]:
    return [record.findtext("DOCNO", "") for record in data.findall(tag)]


def test_read_by_query_pages_with_read_more_until_nothing_remains(
    intacct: IntacctCaller, history: dict[str, Any]
) -> None:
    first = _data(intacct.ok(read_by_query("SODOCUMENT", "", "RECORDNO,DOCNO", pagesize=2)))

    assert first.get("listtype") == "sodocument"
    assert (first.get("count"), first.get("totalcount"), first.get("numremaining")) == (
        "2",
        "5",
        "3",
    )
    result_id = first.get("resultId", "")
    assert result_id
    assert _docnos(first) == ["INV-1", "INV-2"]
    assert [child.tag for child in first[0]] == ["RECORDNO", "DOCNO"]

    more = f"<readMore><resultId>{result_id}</resultId></readMore>"
    second = intacct.ok(more)
    assert second.findtext("function") == "readMore"
    assert (_data(second).get("numremaining"), _docnos(_data(second))) == ("1", ["INV-3", "SO-1"])
    last = _data(intacct.ok(more))
    assert (last.get("count"), last.get("numremaining"), last.get("resultId")) == (
        "1",
        "0",
        result_id,
    )
    assert _docnos(last) == ["INV-4"]

    exhausted = intacct.call(more).result
    assert exhausted.findtext("status") == "failure"
    assert exhausted.findtext("errormessage/error/errorno") == "readMore failed"
    assert exhausted.findtext("errormessage/error/description2") == (
        f"Attempt to readMore with an invalid or expired resultId: {result_id}"
    )


def test_read_more_by_object_name_continues_the_latest_query(
    intacct: IntacctCaller, history: dict[str, Any]
) -> None:
    intacct.ok(read_by_query("SODOCUMENT", "", pagesize=3))

    more = _data(intacct.ok("<readMore><object>SODOCUMENT</object></readMore>"))

    assert _docnos(more) == ["SO-1", "INV-4"]
    assert more.get("numremaining") == "0"


def test_sdk_query_client_fixture_shape_for_customers(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    """Replays intacct-sdk-php QueryClientTest: CUSTOMER, 'RECORDNO < 3', page size 1."""
    first = _data(intacct.ok(read_by_query("CUSTOMER", "RECORDNO &lt; 3", pagesize=1)))

    assert first.attrib.keys() == {"listtype", "count", "totalcount", "numremaining", "resultId"}
    assert (first.get("listtype"), first.get("count"), first.get("totalcount")) == (
        "customer",
        "1",
        "2",
    )
    assert first.findtext("customer/RECORDNO") == "1"
    second = _data(intacct.ok(f"<readMore><resultId>{first.get('resultId')}</resultId></readMore>"))
    assert (second.get("numremaining"), second.findtext("customer/RECORDNO")) == ("0", "2")


def test_a_query_answered_in_one_page_has_an_empty_result_id(
    intacct: IntacctCaller, history: dict[str, Any]
) -> None:
    data = _data(intacct.ok(read_by_query("SODOCUMENT", "DOCNO = 'nothing'")))

    assert (data.get("count"), data.get("totalcount"), data.get("numremaining")) == ("0", "0", "0")
    assert data.get("resultId") == ""


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("DOCPARID = 'Sales Invoice' AND CUSTVENDID = 'C-ALPINE'", ["INV-1", "INV-2", "INV-4"]),
        ("DOCPARID != 'Sales Invoice'", ["SO-1"]),
        ("DOCPARID &lt;&gt; 'Sales Invoice'", ["SO-1"]),
        ("TOTAL &gt; 118 AND TOTAL &lt;= 236", ["INV-3", "SO-1"]),
        ("TOTAL &gt;= 236 OR DOCNO = 'INV-1'", ["INV-1", "SO-1", "INV-4"]),
        ("DOCNO IN ('INV-2','INV-3')", ["INV-2", "INV-3"]),
        ("DOCNO NOT IN ('INV-2','INV-3')", ["INV-1", "SO-1", "INV-4"]),
        ("DOCNO LIKE 'INV-%'", ["INV-1", "INV-2", "INV-3", "INV-4"]),
        ("DOCNO NOT LIKE 'INV-_'", ["SO-1"]),
        ("docno like 'inv%'", []),  # string operands are case-sensitive
        ("NOT (CUSTVENDID = 'C-ALPINE')", ["INV-3"]),
        ("(DOCNO = 'INV-1' OR DOCNO = 'INV-3') AND CUSTVENDID = 'C-COASTAL'", ["INV-3"]),
        ("PONUMBER IS NULL", ["INV-1", "INV-3", "SO-1"]),
        ("PONUMBER IS NOT NULL", ["INV-2", "INV-4"]),
        ("PONUMBER = 'PO-4\\'X'", ["INV-4"]),
        ("WHENMODIFIED &gt; '11/01/2026 09:00:00'", ["SO-1", "INV-4"]),
        ("WHENMODIFIED &gt;= '11/01/2026 09:00:00'", ["INV-3", "SO-1", "INV-4"]),
        ("WHENCREATED = '10/01/2026'", ["INV-1", "INV-2", "INV-3", "SO-1", "INV-4"]),
        ("TOTALDUE &lt; TOTAL", None),
    ],
)
def test_query_string_operators(
    intacct: IntacctCaller, history: dict[str, Any], query: str, expected: list[str] | None
) -> None:
    reply = intacct.call(read_by_query("SODOCUMENT", query, "DOCNO")).result

    if expected is None:  # comparing two fields is not part of the grammar
        assert reply.findtext("status") == "failure"
        assert reply.findtext("errormessage/error/errorno") == "Query Failed"
        return
    assert reply.findtext("status") == "success", reply.findtext("errormessage/error/description2")
    assert _docnos(_data(reply)) == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (read_by_query("SODOCUMENTX", ""), "Object definition SODOCUMENTX not found"),
        (read_by_query("SODOCUMENT", "", "DOCNO,NOPE"), "Invalid field 'NOPE'"),
        (read_by_query("SODOCUMENT", "NOPE = 'x'"), "Invalid field 'NOPE'"),
        (read_by_query("SODOCUMENT", "TOTAL = 'lots'"), "Invalid decimal value"),
        (read_by_query("SODOCUMENT", "DOCNO = "), "expected a value"),
        (read_by_query("SODOCUMENT", "", pagesize=5000), "pagesize must be between 1 and 1000"),
    ],
)
def test_bad_queries_fail_with_query_failed(
    intacct: IntacctCaller, history: dict[str, Any], body: str, message: str
) -> None:
    result = intacct.call(body).result

    assert result.findtext("status") == "failure"
    assert result.findtext("errormessage/error/errorno") == "Query Failed"
    assert message in result.findtext("errormessage/error/description2", "")


def test_lines_are_read_through_sodocumententry(
    intacct: IntacctCaller, history: dict[str, Any]
) -> None:
    query = "DOCHDRID = 'Sales Invoice-INV-2'"
    data = _data(intacct.ok(read_by_query("SODOCUMENTENTRY", query)))

    [line] = data.findall("sodocumententry")
    assert line.findtext("ITEMID") == "STOVE-1"
    assert line.findtext("QUANTITY") == "2"
    assert line.findtext("PRICE") == "59.00"
    assert line.findtext("TOTAL") == "118.00"


def _query(filter_xml: str = "", extra: str = "", fields: tuple[str, ...] = ("DOCNO",)) -> str:
    select = "".join(f"<field>{f}</field>" for f in fields)
    return (
        f"<query><object>SODOCUMENT</object><select>{select}</select>"
        f"<filter>{filter_xml}</filter>{extra}</query>"
    )


def test_query_function_filters_orders_and_pages(
    intacct: IntacctCaller, history: dict[str, Any]
) -> None:
    filter_xml = (
        "<and><equalto><field>DOCPARID</field><value>Sales Invoice</value></equalto>"
        "<greaterthanorequalto><field>TOTAL</field><value>59</value></greaterthanorequalto>"
        "</and>"
    )
    ordering = (
        "<orderby><order><field>TOTAL</field><descending/></order></orderby>"
        "<pagesize>2</pagesize><offset>1</offset>"
    )

    result = intacct.ok(_query(filter_xml, ordering, ("DOCNO", "TOTAL")))

    data = _data(result)
    assert result.findtext("function") == "query"
    assert data.get("listtype") == "SODOCUMENT"
    assert (data.get("totalcount"), data.get("offset"), data.get("count")) == ("4", "1", "2")
    assert data.get("numremaining") == "1"
    assert _docnos(data, "SODOCUMENT") == ["INV-3", "INV-2"]
    assert [child.tag for child in data[0]] == ["DOCNO", "TOTAL"]


@pytest.mark.parametrize(
    ("filter_xml", "expected"),
    [
        ("<in><field>DOCNO</field><value>INV-1</value><value>SO-1</value></in>", ["INV-1", "SO-1"]),
        ("<notin><field>CUSTVENDID</field><value>C-ALPINE</value></notin>", ["INV-3"]),
        ("<like><field>DOCNO</field><value>SO%</value></like>", ["SO-1"]),
        ("<notequalto><field>CUSTVENDID</field><value>C-ALPINE</value></notequalto>", ["INV-3"]),
        (
            "<between><field>WHENMODIFIED</field><value>10/10/2026 00:00:00</value>"
            "<value>11/02/2026 00:00:00</value></between>",
            ["INV-2", "INV-3"],
        ),
        ("<isnotnull><field>PONUMBER</field></isnotnull>", ["INV-2", "INV-4"]),
        (
            "<or><lessthan><field>TOTAL</field><value>60</value></lessthan>"
            "<greaterthan><field>TOTAL</field><value>290</value></greaterthan></or>",
            ["INV-1", "INV-4"],
        ),
    ],
)
def test_query_function_filter_operators(
    intacct: IntacctCaller, history: dict[str, Any], filter_xml: str, expected: list[str]
) -> None:
    data = _data(intacct.ok(_query(filter_xml)))

    assert _docnos(data, "SODOCUMENT") == expected


def test_query_function_case_insensitive_option(
    intacct: IntacctCaller, history: dict[str, Any]
) -> None:
    filter_xml = "<equalto><field>CUSTVENDID</field><value>c-coastal</value></equalto>"
    options = "<options><caseinsensitive>true</caseinsensitive></options>"

    assert _docnos(_data(intacct.ok(_query(filter_xml))), "SODOCUMENT") == []
    assert _docnos(_data(intacct.ok(_query(filter_xml, options))), "SODOCUMENT") == ["INV-3"]


def test_query_function_refuses_select_star(
    intacct: IntacctCaller, history: dict[str, Any]
) -> None:
    result = intacct.call(_query(fields=("*",))).result

    assert result.findtext("status") == "failure"


def test_payments_lower_the_invoice_due_and_link_through_the_ar_record(
    intacct: IntacctCaller, history: dict[str, Any]
) -> None:
    invoice = _data(intacct.ok(read_by_query("SODOCUMENT", "DOCNO = 'INV-2'"))).find("sodocument")
    assert invoice is not None
    assert (invoice.findtext("TOTAL"), invoice.findtext("TOTALPAID")) == ("118.00", "50.00")
    assert invoice.findtext("TOTALDUE") == "68.00"

    payments = _data(intacct.ok(read_by_query("ARPYMT", "CUSTOMERID = 'C-ALPINE'")))
    [payment] = payments.findall("arpymt")
    assert payment.findtext("PAYMENTMETHOD") == "Check"
    assert payment.findtext("WHENPAID") == "10/20/2026"
    assert payment.findtext("DOCNUMBER") == "CHK-1001"
    assert payment.findtext("TOTALENTERED") == "50.00"
    assert payment.findtext("CUSTOMERNAME") == "Alpine Trail Outfitters"

    recordno = payment.findtext("RECORDNO")
    read = _data(
        intacct.ok(f"<read><object>ARPYMT</object><keys>{recordno}</keys><fields>*</fields></read>")
    )
    [detail] = read.findall("ARPYMT/ARPYMTDETAILS/arpymtdetail")
    assert detail.findtext("RECORDKEY") == invoice.findtext("PRRECORDKEY")
    assert detail.findtext("TRX_PAYMENTAMOUNT") == "50.00"


def test_new_payments_are_found_by_when_modified(
    intacct: IntacctCaller, history: dict[str, Any]
) -> None:
    since = "WHENMODIFIED &gt; '10/19/2026 00:00:00'"

    assert _data(intacct.ok(read_by_query("ARPYMT", since))).get("count") == "1"
    later = "WHENMODIFIED &gt; '10/21/2026 00:00:00'"
    assert _data(intacct.ok(read_by_query("ARPYMTDETAIL", later))).get("count") == "0"


def test_read_by_query_docparid_limits_to_one_definition(
    intacct: IntacctCaller, history: dict[str, Any]
) -> None:
    body = read_by_query("SODOCUMENT", "CUSTVENDID = 'C-ALPINE'", "DOCNO").replace(
        "</readByQuery>", "<docparid>Sales Order</docparid></readByQuery>"
    )

    assert _docnos(_data(intacct.ok(body))) == ["SO-1"]


def test_a_customers_total_due_is_what_its_posted_invoices_still_owe(
    intacct: IntacctCaller, history: dict[str, Any]
) -> None:
    # INV-1 59 + INV-2 118 less 50 paid + INV-4 295; the Sales Order posts nothing to AR
    data = _data(
        intacct.ok(read_by_query("CUSTOMER", "CUSTOMERID IN ('C-ALPINE','C-COASTAL')", "*"))
    )
    due = {c.findtext("CUSTOMERID"): c.findtext("TOTALDUE") for c in data.findall("customer")}

    assert due == {"C-ALPINE": "422.00", "C-COASTAL": "177.00"}
    owing = _data(intacct.ok(read_by_query("CUSTOMER", "TOTALDUE > 200", "CUSTOMERID")))
    assert [c.findtext("CUSTOMERID") for c in owing.findall("customer")] == ["C-ALPINE"]


def test_a_deleted_document_is_gone_and_its_deletion_is_in_the_audit_trail(
    admin: SandboxAdmin, intacct: IntacctCaller, history: dict[str, Any]
) -> None:
    order = next(d for d in history["documents"] if d["DOCID"] == "Sales Order-SO-1")
    admin.seed({"deletions": [{"DOCID": "Sales Order-SO-1", "WHEN": "11/20/2026 08:00:00"}]})

    assert _docnos(_data(intacct.ok(read_by_query("SODOCUMENT", "DOCNO = 'SO-1'")))) == []
    query = (
        "OBJECTTYPE = 'sodocument' AND ACCESSMODE = 'Deleted' "
        "AND ACCESSTIME >= '11/20/2026 00:00:00'"
    )
    audit = _data(intacct.ok(read_by_query("AUDITHISTORY", query))).findall("audithistory")
    assert [(a.findtext("OBJECTKEY"), a.findtext("ACCESSTIME")) for a in audit] == [
        (str(order["RECORDNO"]), "11/20/2026 08:00:00")
    ]
    later = read_by_query("AUDITHISTORY", "ACCESSTIME >= '11/21/2026 00:00:00'")
    assert _data(intacct.ok(later)).findall("audithistory") == []


def test_an_invoice_with_payments_cannot_be_deleted(
    admin: SandboxAdmin, history: dict[str, Any]
) -> None:
    with pytest.raises(Exception, match="400"):
        admin.seed({"deletions": [{"DOCID": "Sales Invoice-INV-2"}]})
