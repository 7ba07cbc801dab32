"""Register decoding, register map validation and the CSV import and export."""

import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from equipment import registers
from equipment.models import Tag
from equipment.registers import DecodeError, RegisterMapError, TagSpec
from mes.models import AuditEntry
from tests.factories.equipment import make_machine, make_plc_device


def spec(data_type, word_order="big", role="value", **fields):
    kind = "coil" if data_type == "bool" else "holding"
    return TagSpec(
        id=1,
        name="t",
        register_kind=fields.pop("register_kind", kind),
        address=fields.pop("address", 0),
        data_type=data_type,
        word_order=word_order,
        role=role,
        **fields,
    )


def words(fmt, value, word_order="big"):
    raw = struct.pack(fmt, value)
    high_first = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
    return high_first if word_order == "big" else list(reversed(high_first))


@pytest.mark.parametrize(
    ("data_type", "fmt", "value"),
    [
        ("int16", ">h", -1234),
        ("uint16", ">H", 65000),
        ("int32", ">i", -70000),
        ("uint32", ">I", 4_000_000_000),
        ("float32", ">f", 12.5),
    ],
)
@pytest.mark.parametrize("word_order", ["big", "little"])
def test_every_type_decodes_in_both_word_orders(data_type, fmt, value, word_order):
    # given the registers of a value in the word order
    registers_read = words(fmt, value, word_order)

    # when decoded
    decoded = registers.decode(spec(data_type, word_order), registers_read)

    # then the value comes back
    assert decoded == pytest.approx(value)


def test_booleans_scale_and_offset():
    # given a coil and a tenth-of-a-degree temperature with an offset
    coil = spec("bool")
    temperature = spec("int16", scale=0.1, offset=-40.0)

    # when decoded, then the coil is a boolean and the temperature scaled
    assert registers.decode(coil, [True]) is True
    assert registers.decode(temperature, [650]) == pytest.approx(25.0)


def test_counters_ignore_scale_and_nan_and_range_are_refused():
    # given a scaled counter, a float and a limited value
    counter = spec("uint32", role="good_count", scale=0.5)
    floating = spec("float32")
    limited = spec("uint16", minimum=0.0, maximum=100.0)

    # when decoded, then the counter stays raw, NaN and 101 are refused
    assert registers.decode(counter, [0, 10]) == 10
    with pytest.raises(DecodeError, match="not a number"):
        registers.decode(floating, words(">f", float("nan")))
    with pytest.raises(DecodeError, match="outside the configured range"):
        registers.decode(limited, [101])


def test_validation_finds_overlaps_bad_types_and_addresses():
    # given a map with every kind of mistake
    tags = [
        TagSpec(1, "good", "holding", 2, "uint32", role="good_count"),
        TagSpec(2, "speed", "holding", 3, "uint16", role="speed"),
        TagSpec(3, "bit", "holding", 10, "bool"),
        TagSpec(4, "far", "input", 65535, "float32"),
        TagSpec(5, "odd", "holding", 20, "int64"),
        TagSpec(6, "good2", "holding", 30, "uint16", role="good_count"),
    ]

    # when validated
    errors = registers.validate_map(tags)

    # then each mistake has a message
    assert "good and speed overlap at address 3." in errors
    assert any("coils and discrete inputs hold booleans" in e for e in errors)
    assert "far: address 65535 is outside 0 to 65535." in errors
    assert "odd: unknown data type int64." in errors
    assert any("Only one tag may have the role Good count" in e for e in errors)


def test_read_blocks_merge_neighbours_per_kind():
    # given the simulator's register map
    tags = [
        TagSpec(1, "a", "holding", 0, "uint16"),
        TagSpec(2, "b", "holding", 2, "uint32"),
        TagSpec(3, "c", "holding", 40, "uint16"),
        TagSpec(4, "d", "discrete_input", 0, "bool"),
    ]

    # when planned, then near tags share a read and far ones do not
    blocks = registers.read_blocks(tags)
    assert [(b.register_kind, b.address, b.count) for b in blocks] == [
        ("discrete_input", 0, 1),
        ("holding", 0, 4),
        ("holding", 40, 1),
    ]


CSV_HEADER = (
    "machine,name,register_kind,address,data_type,word_order,scale,offset,role,"
    "unit,minimum,maximum,deadband\n"
)


def test_csv_export_and_import_round_trip(admin_user):
    # given a device with the simulator's map
    device = make_plc_device()
    text = registers.export_csv([device])

    # when the speed tag moves in the file and the file is imported
    changed = text.replace("spindle_speed,holding,8,", "spindle_speed,holding,16,")
    counts = registers.import_csv(changed, actor=admin_user)

    # then the map has the new address, the rest is unchanged and audited
    assert counts == {device.machine.code: 10}
    assert Tag.objects.get(device=device, name="spindle_speed").address == 16
    exported = registers.export_csv([device]).splitlines()
    assert sorted(exported) == sorted(changed.splitlines())
    assert AuditEntry.objects.filter(actor=admin_user).count() == 1


def test_csv_import_is_all_or_nothing_with_errors_per_row(admin_user):
    # given a device and a file with one good and three bad rows
    device = make_plc_device()
    code = device.machine.code
    other = make_machine()
    text = CSV_HEADER + (
        f"{code},run,holding,0,uint16,big,1,0,run_state,,,,0\n"
        f"{code},bad,holding,abc,uint16,big,1,0,value,,,,0\n"
        f"{code},odd,holding,5,int64,big,1,0,value,,,,0\n"
        f"{other.code},x,holding,0,uint16,big,1,0,value,,,,0\n"
    )

    # when it is imported
    with pytest.raises(RegisterMapError) as refused:
        registers.import_csv(text, actor=admin_user)

    # then every problem is listed by row and nothing changed
    assert "Row 3: address must be a whole number, not abc." in refused.value.errors
    assert "Row 4: odd: unknown data type int64." in refused.value.errors
    assert f"Machine {other.code} has no PLC yet; add the PLC first." in (
        refused.value.errors
    )
    assert device.tags.count() == 10
    assert not AuditEntry.objects.filter(actor=admin_user).exists()


def test_csv_import_refuses_overlapping_addresses(admin_user):
    # given a file whose two tags share a register
    device = make_plc_device()
    code = device.machine.code
    text = CSV_HEADER + (
        f"{code},good,holding,2,uint32,big,1,0,good_count,,,,0\n"
        f"{code},speed,holding,3,uint16,big,1,0,speed,rpm,,,0\n"
    )

    # when imported, then it is refused naming the overlap
    with pytest.raises(RegisterMapError) as refused:
        registers.import_csv(text, actor=admin_user)
    assert refused.value.errors == [
        f"Machine {code}: good and speed overlap at address 3."
    ]
    assert device.tags.count() == 10


def test_admin_imports_a_register_map_file(client, admin_user):
    # given a device and a file that moves its speed tag
    device = make_plc_device()
    text = registers.export_csv([device]).replace(
        "spindle_speed,holding,8,", "spindle_speed,holding,16,"
    )
    upload = SimpleUploadedFile("map.csv", text.encode(), content_type="text/csv")
    client.force_login(admin_user)

    # when it is uploaded on the admin import page
    response = client.post(
        reverse("admin:equipment_plcdevice_import"), {"file": upload}
    )

    # then the map is imported
    assert response.status_code == 302
    assert Tag.objects.get(device=device, name="spindle_speed").address == 16


def test_admin_import_lists_the_errors(client, admin_user):
    # given a file with an unknown register kind
    device = make_plc_device()
    text = (
        CSV_HEADER + f"{device.machine.code},x,register,0,uint16,big,1,0,value,,,,0\n"
    )
    upload = SimpleUploadedFile("map.csv", text.encode(), content_type="text/csv")
    client.force_login(admin_user)

    # when uploaded, then the page lists the error and nothing changed
    response = client.post(
        reverse("admin:equipment_plcdevice_import"), {"file": upload}
    )
    assert "Row 2: x: unknown register kind register." in response.text
    assert device.tags.count() == 10
