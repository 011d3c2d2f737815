"""Order Entry writes: create_sotransaction per definition, refusals, update, and reading back."""

from __future__ import annotations

from xml.etree.ElementTree import Element

import pytest

from sandboxes.common import SandboxAdmin

from .conftest import IntacctCaller, sotransaction


def _documents(admin: SandboxAdmin) -> list[dict[str, str]]:
    return admin.state()["objects"]["SODOCUMENT"]


def _read_document(intacct: IntacctCaller, recordno: str) -> Element:
    result = intacct.ok(
        f"<read><object>SODOCUMENT</object><keys>{recordno}</keys><fields>*</fields></read>"
    )
    document = result.find("data/SODOCUMENT")
    assert document is not None
    return document


@pytest.mark.parametrize(
    ("transaction_type", "expected_key"),
    [
        ("Sales Quote", "Sales Quote-QT0001"),
        ("Sales Order", "Sales Order-SO0001"),
        ("Sales Invoice", "Sales Invoice-INV0001"),
    ],
)
def test_each_configured_sales_definition_can_be_created(
    intacct: IntacctCaller, seeded: SandboxAdmin, transaction_type: str, expected_key: str
) -> None:
    result = intacct.ok(sotransaction(transaction_type))

    assert result.findtext("function") == "create_sotransaction"
    assert result.findtext("key") == expected_key
    [document] = _documents(seeded)
    assert document["DOCID"] == expected_key
    assert document["DOCPARID"] == transaction_type
    assert document["STATE"] == "Pending"
    assert document["TOTAL"] == "498.00"  # 2 x BASEPRICE 249.00
    assert document["WHENCREATED"] == "11/02/2026"
    assert (document["PRRECORDKEY"] != "") == (transaction_type == "Sales Invoice")


def test_numbers_run_per_definition_and_documentno_is_honoured(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    first = intacct.ok(sotransaction("Sales Order"))
    quote = intacct.ok(sotransaction("Sales Quote"))
    second = intacct.ok(sotransaction("Sales Order"))
    chosen = intacct.ok(sotransaction(extra="<documentno>SF-0006Q000001</documentno>"))

    assert [r.findtext("key") for r in (first, quote, second, chosen)] == [
        "Sales Order-SO0001",
        "Sales Quote-QT0001",
        "Sales Order-SO0002",
        "Sales Order-SF-0006Q000001",
    ]


def test_a_reused_documentno_is_refused(intacct: IntacctCaller, seeded: SandboxAdmin) -> None:
    intacct.ok(sotransaction(extra="<documentno>SO-77</documentno>"))

    result = intacct.call(sotransaction(extra="<documentno>SO-77</documentno>")).result

    assert result.findtext("status") == "failure"
    assert "already exists" in result.findtext("errormessage/error[2]/description2", "")
    assert len(_documents(seeded)) == 1


def test_header_and_line_fields_are_stored_as_sent(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    extra = (
        "<referenceno>PO-4411</referenceno><termname>Net 30</termname>"
        "<datedue><year>2026</year><month>12</month><day>02</day></datedue>"
        "<message>Thanks for your order</message><currency>USD</currency>"
    )
    line_extra = (
        "<unit>Each</unit><price>230.50</price><discsurchargememo>volume</discsurchargememo>"
        "<locationid>MAIN</locationid><departmentid>SALES</departmentid><memo>rush</memo>"
    )
    intacct.ok(sotransaction(quantity="3", extra=extra, line_extra=line_extra))

    document = _read_document(intacct, "1")
    assert document.findtext("PONUMBER") == "PO-4411"
    assert document.findtext("TERM.NAME") == "Net 30"
    assert document.findtext("WHENDUE") == "12/02/2026"
    assert document.findtext("MESSAGE") == "Thanks for your order"
    assert document.findtext("CUSTVENDNAME") == "Alpine Trail Outfitters"
    assert document.findtext("TOTAL") == "691.50"
    [line] = document.findall("SODOCUMENTENTRIES/sodocumententry")
    assert line.findtext("DOCHDRNO") == "1"
    assert line.findtext("DOCHDRID") == "Sales Order-SO0001"
    assert line.findtext("LINE_NO") == "1"
    assert line.findtext("ITEMID") == "TENT-2P"
    assert line.findtext("ITEMDESC") == "Ridgeline 2-Person Tent"
    assert line.findtext("QUANTITY") == "3"
    assert line.findtext("PRICE") == "230.50"
    assert line.findtext("TOTAL") == "691.50"
    assert line.findtext("MEMO") == "rush"
    assert line.findtext("LOCATIONID") == "MAIN"
    assert line.findtext("DEPARTMENTID") == "SALES"


@pytest.mark.parametrize(
    ("request_body", "cause"),
    [
        (sotransaction("Sales Return"), "Invalid transaction definition 'Sales Return'."),
        (sotransaction(customer="C-NOBODY"), "Invalid Customer 'C-NOBODY' specified."),
        (sotransaction(item="NOPE-1"), "Invalid Item 'NOPE-1' on line 1."),
    ],
)
def test_unknown_definitions_customers_and_items_are_refused(
    intacct: IntacctCaller, seeded: SandboxAdmin, request_body: str, cause: str
) -> None:
    result = intacct.call(request_body).result

    assert result.findtext("status") == "failure"
    errors = result.findall("errormessage/error")
    assert [e.findtext("errorno") for e in errors] == ["BL01001973", "BL01001973"]
    assert errors[0].findtext("description2") == "Could not create Document record!"
    assert errors[1].findtext("description2") == cause
    assert _documents(seeded) == []


def test_missing_required_elements_are_refused(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    body = sotransaction().replace("<customerid>C-ALPINE</customerid>", "")

    result = intacct.call(body).result

    assert result.findtext("status") == "failure"
    assert result.findtext("errormessage/error/errorno") == "XL03000003"


def test_admin_configured_definition_becomes_usable(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    knobs = seeded.configure(transaction_definitions=[{"name": "Sales Return", "prefix": "RT"}])

    assert "Sales Return" in [d["name"] for d in knobs["transaction_definitions"]]
    assert intacct.ok(sotransaction("Sales Return")).findtext("key") == "Sales Return-RT0001"


def test_update_changes_header_and_appends_lines(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    intacct.ok(sotransaction())
    before = _documents(seeded)[0]["WHENMODIFIED"]

    result = intacct.ok(
        '<update_sotransaction key="Sales Order-SO0001">'
        "<referenceno>PO-NEW</referenceno>"
        "<updatesotransitems><sotransitem><itemid>STOVE-1</itemid><quantity>1</quantity>"
        "</sotransitem></updatesotransitems></update_sotransaction>"
    )

    assert result.findtext("key") == "Sales Order-SO0001"
    document = _read_document(intacct, "1")
    assert document.findtext("PONUMBER") == "PO-NEW"
    assert document.findtext("TOTAL") == "557.00"
    assert len(document.findall("SODOCUMENTENTRIES/sodocumententry")) == 2
    assert document.findtext("WHENMODIFIED", "") >= before


def test_update_of_an_unknown_transaction_fails(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    result = intacct.call('<update_sotransaction key="Sales Order-SO9999"/>').result

    assert result.findtext("status") == "failure"
    assert result.findtext("errormessage/error/errorno") == "BL01001973"


def test_read_of_a_missing_key_answers_no_records(
    intacct: IntacctCaller, seeded: SandboxAdmin
) -> None:
    result = intacct.ok("<read><object>SODOCUMENT</object><keys>42</keys><fields>*</fields></read>")

    data = result.find("data")
    assert data is not None
    assert data.get("listtype") == "SODOCUMENT"
    assert data.get("count") == "0"
    assert len(data) == 0


def test_sdk_fixture_create_sotransaction_is_accepted(
    intacct: IntacctCaller, admin: SandboxAdmin
) -> None:
    """The function body of intacct-sdk-php's CreateOrderEntryTransactionTest, indented as is."""
    admin.seed(
        {
            "customers": [{"CUSTOMERID": "2530", "NAME": "SDK Customer"}],
            "items": [{"ITEMID": "02354032", "NAME": "SDK Item", "BASEPRICE": 1.25}],
        }
    )
    function = """
    <create_sotransaction>
        <transactiontype>Sales Order</transactiontype>
        <datecreated>
            <year>2015</year>
            <month>06</month>
            <day>30</day>
        </datecreated>
        <customerid>2530</customerid>
        <sotransitems>
            <sotransitem>
                <itemid>02354032</itemid>
                <quantity>1200</quantity>
            </sotransitem>
        </sotransitems>
    </create_sotransaction>
"""

    result = intacct.ok(function)

    assert result.findtext("key") == "Sales Order-SO0001"
    [document] = _documents(admin)
    assert (document["WHENCREATED"], document["TOTAL"]) == ("06/30/2015", "1500.00")


def test_create_customer_answers_its_record_and_refuses_a_duplicate(
    intacct: IntacctCaller,
) -> None:
    """developer.intacct.com, Accounts Receivable > Customers > Create Customer (`create`)."""
    body = (
        "<create><CUSTOMER><CUSTOMERID>C-NEW</CUSTOMERID><NAME>New Co</NAME>"
        "<DISPLAYCONTACT><PRINTAS>New Co</PRINTAS></DISPLAYCONTACT></CUSTOMER></create>"
    )
    first = intacct.ok(body)
    assert first.findtext("data/customer/CUSTOMERID") == "C-NEW"
    again = intacct.call(body).result
    assert again.findtext("status") == "failure"
    assert "already exists" in (again.findtext("errormessage/error/description2") or "")
    without_name = body.replace("<NAME>New Co</NAME>", "").replace("C-NEW", "C-OTHER")
    assert intacct.call(without_name).result.findtext("status") == "failure"
