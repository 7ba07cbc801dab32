"""CSV import of work orders: all rows checked, nothing saved on any error."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from materials.models import ItemKind
from planning.imports import import_work_orders
from planning.models import WorkOrder
from tests.factories.materials import make_item
from tests.factories.planning import make_plan

pytestmark = pytest.mark.django_db

DUE = (timezone.localdate() + timedelta(days=10)).isoformat()


@pytest.fixture
def products():
    make_item(ItemKind.FINISHED_GOOD, code="PH-100", name="泵壳 PH-100")
    make_item(ItemKind.FINISHED_GOOD, code="PH-200")
    make_plan(code="W49")


def _good_file():
    return (
        "product,quantity,due_date,priority,customer_reference,plan,note\n"
        f"PH-100,50,{DUE},high,SO-1,W49,first\n"
        f"PH-200,20,{DUE},3,SO-2,,\n"
    )


def test_a_good_utf8_file_imports_every_row(products, planner):
    result = import_work_orders(_good_file().encode("utf-8"), planner)

    assert result.ok, result.errors
    assert WorkOrder.objects.count() == 2
    first = WorkOrder.objects.get(customer_reference="SO-1")
    assert (first.priority, first.plan.code, first.status) == (2, "W49", "draft")


def test_utf8_with_bom_from_excel_imports(products, planner):
    result = import_work_orders(_good_file().encode("utf-8-sig"), planner)
    assert result.ok, result.errors
    assert WorkOrder.objects.count() == 2


def test_gbk_with_chinese_headers_imports(products, planner):
    text = f"产品编码,数量,交期,优先级,备注\nPH-100,5,{DUE},紧急,加急订单\n"
    result = import_work_orders(text.encode("gbk"), planner)

    assert result.ok, result.errors
    order = WorkOrder.objects.get()
    assert (order.priority, order.note) == (1, "加急订单")


def test_missing_columns_are_named_and_nothing_is_imported(products, planner):
    result = import_work_orders(b"product,quantity\nPH-100,5\n", planner)

    assert not result.ok
    assert "due_date" in result.errors[0][1]
    assert not WorkOrder.objects.exists()


def test_bad_rows_are_listed_per_row_and_nothing_is_imported(products, planner):
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    text = (
        "product,quantity,due_date,plan\n"
        f"PH-100,10,{DUE},\n"
        f"NOPE,10,{DUE},\n"
        f"PH-200,0,{DUE},\n"
        f"PH-200,5,{past},\n"
        "PH-200,5,31.12.2026,\n"
        f"PH-200,5,{DUE},W99\n"
    )

    result = import_work_orders(text.encode(), planner)

    rows = sorted({row for row, _message in result.errors})
    assert rows == [3, 4, 5, 6, 7]
    assert not WorkOrder.objects.exists()


def test_a_file_in_another_encoding_is_refused(products, planner):
    data = "product,quantity,due_date\nPH-100,5,2026-12-31\n".encode("utf-16")

    result = import_work_orders(data, planner)

    assert not result.ok
    assert "UTF-8" in result.errors[0][1]
    assert not WorkOrder.objects.exists()


def test_duplicate_numbers_are_refused(products, planner):
    row = f"ERP-1,PH-100,1,{DUE}\n"
    text = "number,product,quantity,due_date\n" + row + row
    result = import_work_orders(text.encode(), planner)
    assert [row for row, _message in result.errors] == [3]
    assert not WorkOrder.objects.exists()


def test_the_page_lists_errors_per_row(client, products, planner):
    client.force_login(planner)
    upload = SimpleUploadedFile(
        "orders.csv", f"product,quantity,due_date\nNOPE,1,{DUE}\n".encode()
    )

    response = client.post(reverse("planning:work-order-import"), {"file": upload})

    assert response.status_code == 200
    assert b"import-errors" in response.content
    assert b"NOPE" in response.content
    assert not WorkOrder.objects.exists()


def test_the_page_imports_a_good_file(client, products, planner):
    client.force_login(planner)
    upload = SimpleUploadedFile("orders.csv", _good_file().encode("utf-8-sig"))

    response = client.post(reverse("planning:work-order-import"), {"file": upload})

    assert response.status_code == 302
    assert WorkOrder.objects.count() == 2


@pytest.mark.parametrize(
    "data", [b"", b"product,quantity,due_date\n", b"\xef\xbb\xbf\n\n"]
)
def test_empty_files_are_refused(products, planner, data):
    result = import_work_orders(data, planner)
    assert not result.ok
    assert not WorkOrder.objects.exists()


def test_a_huge_file_is_refused_before_reading(client, products, planner, settings):
    from planning import forms

    client.force_login(planner)
    data = b"product,quantity,due_date\n" + b"x" * (forms.MAX_IMPORT_BYTES + 1)

    response = client.post(
        reverse("planning:work-order-import"),
        {"file": SimpleUploadedFile("big.csv", data)},
    )

    assert response.status_code == 200
    assert b"larger than 5 MB" in response.content
    assert not WorkOrder.objects.exists()
