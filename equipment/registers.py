"""Register maps: decoding PLC registers, validating maps, CSV in and out.

The pollers work on plain ``TagSpec`` values (no ORM in the event loop);
``tag_specs`` builds them from a device's tags. ``read_blocks`` groups a
map's tags into as few Modbus requests as possible.

CSV columns (one row per tag; a file gives the complete map of every machine
it names, tags of those machines missing from the file are removed):
machine, name, register_kind, address, data_type, word_order, scale, offset,
role, unit, minimum, maximum, deadband.

Limitations: 64-bit types and strings are not supported; a block read never
spans more than 120 registers or 1,968 bits, the Modbus limits.
"""

import csv
import io
import math
import struct
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from equipment.models import (
    SINGLE_ROLES,
    DataType,
    Machine,
    PlcDevice,
    RegisterKind,
    Tag,
    TagRole,
    WordOrder,
)
from mes import audit

MAX_ADDRESS = 65535
MAX_BLOCK_REGISTERS = 120
MAX_BLOCK_BITS = 1968
# Tags closer than this are read in one request, skipping the gap.
MAX_GAP = 8

BIT_KINDS = {RegisterKind.COIL, RegisterKind.DISCRETE_INPUT}
CSV_COLUMNS = [
    "machine",
    "name",
    "register_kind",
    "address",
    "data_type",
    "word_order",
    "scale",
    "offset",
    "role",
    "unit",
    "minimum",
    "maximum",
    "deadband",
]
_STRUCT = {
    DataType.INT16: ">h",
    DataType.UINT16: ">H",
    DataType.INT32: ">i",
    DataType.UINT32: ">I",
    DataType.FLOAT32: ">f",
}


class DecodeError(ValueError):
    """A reading that cannot be turned into a value (NaN, out of range)."""


@dataclass(frozen=True)
class TagSpec:
    id: int
    name: str
    register_kind: str
    address: int
    data_type: str
    word_order: str = WordOrder.BIG
    scale: float = 1.0
    offset: float = 0.0
    role: str = TagRole.VALUE
    minimum: float | None = None
    maximum: float | None = None
    deadband: float = 0.0

    @property
    def size(self) -> int:
        return register_count(self.data_type)

    @property
    def last_address(self) -> int:
        return self.address + self.size - 1


@dataclass(frozen=True)
class ReadBlock:
    register_kind: str
    address: int
    count: int
    tags: tuple[TagSpec, ...]


def register_count(data_type: str) -> int:
    return 2 if data_type in {DataType.INT32, DataType.UINT32, DataType.FLOAT32} else 1


def decode(tag: TagSpec, words: Sequence[int] | Sequence[bool]) -> float | int | bool:
    """The engineering value of a tag from its registers (or its bit).

    Counters and run states are returned as raw integers (scale and offset
    do not apply to roles whose meaning is a count or a code). Raises
    ``DecodeError`` for NaN or infinite floats and for values outside the
    tag's minimum and maximum.
    """
    if tag.data_type == DataType.BOOL:
        return bool(words[0])
    registers = [int(word) & 0xFFFF for word in words[: tag.size]]
    if tag.word_order == WordOrder.LITTLE:
        registers.reverse()
    raw = struct.unpack(
        _STRUCT[tag.data_type], struct.pack(f">{tag.size}H", *registers)
    )[0]
    if isinstance(raw, float) and not math.isfinite(raw):
        raise DecodeError(
            _("%(tag)s: the PLC sent a value that is not a number.") % {"tag": tag.name}
        )
    if tag.role in SINGLE_ROLES:
        return int(raw)
    value = raw * tag.scale + tag.offset
    if (tag.minimum is not None and value < tag.minimum) or (
        tag.maximum is not None and value > tag.maximum
    ):
        raise DecodeError(
            _("%(tag)s: %(value)s is outside the configured range.")
            % {"tag": tag.name, "value": round(value, 4)}
        )
    return value


def tag_specs(tags: Iterable[Tag]) -> list[TagSpec]:
    return [
        TagSpec(
            id=tag.pk,
            name=tag.name,
            register_kind=tag.register_kind,
            address=tag.address,
            data_type=tag.data_type,
            word_order=tag.word_order,
            scale=float(tag.scale),
            offset=float(tag.offset),
            role=tag.role,
            minimum=None if tag.minimum is None else float(tag.minimum),
            maximum=None if tag.maximum is None else float(tag.maximum),
            deadband=float(tag.deadband),
        )
        for tag in tags
    ]


def read_blocks(tags: Iterable[TagSpec]) -> list[ReadBlock]:
    """The Modbus reads that fetch every tag, merging neighbours."""
    by_kind: dict[str, list[TagSpec]] = defaultdict(list)
    for tag in tags:
        by_kind[tag.register_kind].append(tag)
    blocks: list[ReadBlock] = []
    for kind, kind_tags in sorted(by_kind.items()):
        limit = MAX_BLOCK_BITS if kind in BIT_KINDS else MAX_BLOCK_REGISTERS
        current: list[TagSpec] = []
        for tag in sorted(kind_tags, key=lambda tag: tag.address):
            if current:
                start = current[0].address
                end = max(item.last_address for item in current)
                fits = tag.last_address - start + 1 <= limit
                if tag.address - end - 1 <= MAX_GAP and fits:
                    current.append(tag)
                    continue
                blocks.append(_block(kind, current))
            current = [tag]
        if current:
            blocks.append(_block(kind, current))
    return blocks


def _block(kind: str, tags: list[TagSpec]) -> ReadBlock:
    start = tags[0].address
    end = max(tag.last_address for tag in tags)
    return ReadBlock(kind, start, end - start + 1, tuple(tags))


def validate_map(tags: Sequence[TagSpec]) -> list[str]:
    """Problems of one device's register map, as translated messages."""
    errors: list[str] = []
    for tag in tags:
        errors.extend(_tag_errors(tag))
    for role in SINGLE_ROLES:
        named = [tag.name for tag in tags if tag.role == role]
        if len(named) > 1:
            errors.append(
                _("Only one tag may have the role %(role)s: %(tags)s.")
                % {"role": TagRole(role).label, "tags": ", ".join(named)}
            )
    names = [tag.name for tag in tags]
    for name in sorted({name for name in names if names.count(name) > 1}):
        errors.append(_("The tag name %(name)s is used twice.") % {"name": name})
    errors.extend(_overlaps(tags))
    return errors


def _tag_errors(tag: TagSpec) -> list[str]:
    errors = []
    if tag.register_kind not in RegisterKind.values:
        errors.append(
            _("%(tag)s: unknown register kind %(kind)s.")
            % {"tag": tag.name, "kind": tag.register_kind}
        )
    if tag.data_type not in DataType.values:
        errors.append(
            _("%(tag)s: unknown data type %(type)s.")
            % {"tag": tag.name, "type": tag.data_type}
        )
        return errors
    if tag.role not in TagRole.values:
        errors.append(
            _("%(tag)s: unknown role %(role)s.") % {"tag": tag.name, "role": tag.role}
        )
    if tag.word_order not in WordOrder.values:
        errors.append(
            _("%(tag)s: unknown word order %(order)s.")
            % {"tag": tag.name, "order": tag.word_order}
        )
    is_bit_kind = tag.register_kind in BIT_KINDS
    if is_bit_kind != (tag.data_type == DataType.BOOL):
        errors.append(
            _(
                "%(tag)s: coils and discrete inputs hold booleans, "
                "registers hold numbers."
            )
            % {"tag": tag.name}
        )
    if tag.address < 0 or tag.last_address > MAX_ADDRESS:
        errors.append(
            _("%(tag)s: address %(address)s is outside 0 to 65535.")
            % {"tag": tag.name, "address": tag.address}
        )
    if tag.role in {TagRole.GOOD_COUNT, TagRole.SCRAP_COUNT} and tag.data_type in {
        DataType.FLOAT32,
        DataType.BOOL,
    }:
        errors.append(
            _("%(tag)s: a counter must be an integer type.") % {"tag": tag.name}
        )
    if (
        tag.minimum is not None
        and tag.maximum is not None
        and tag.minimum > tag.maximum
    ):
        errors.append(
            _("%(tag)s: the minimum is above the maximum.") % {"tag": tag.name}
        )
    return errors


def _overlaps(tags: Sequence[TagSpec]) -> list[str]:
    errors = []
    by_kind: dict[str, list[TagSpec]] = defaultdict(list)
    for tag in tags:
        if tag.data_type in DataType.values:
            by_kind[tag.register_kind].append(tag)
    for kind_tags in by_kind.values():
        ordered = sorted(kind_tags, key=lambda tag: tag.address)
        for before, after in zip(ordered, ordered[1:], strict=False):
            if after.address <= before.last_address:
                errors.append(
                    _("%(first)s and %(second)s overlap at address %(address)s.")
                    % {
                        "first": before.name,
                        "second": after.name,
                        "address": after.address,
                    }
                )
    return errors


# CSV.


def export_csv(devices: Iterable[PlcDevice]) -> str:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(CSV_COLUMNS)
    for device in devices:
        for tag in device.tags.order_by("register_kind", "address"):
            writer.writerow(
                [
                    device.machine.code,
                    tag.name,
                    tag.register_kind,
                    tag.address,
                    tag.data_type,
                    tag.word_order,
                    _plain_decimal(tag.scale),
                    _plain_decimal(tag.offset),
                    tag.role,
                    tag.unit,
                    _plain_decimal(tag.minimum),
                    _plain_decimal(tag.maximum),
                    _plain_decimal(tag.deadband),
                ]
            )
    return output.getvalue()


class RegisterMapError(ValueError):
    """A register map file that was refused; ``errors`` lists each problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def import_csv(text: str, actor: Any) -> dict[str, int]:
    """Replace the register maps of the machines in the file, all or nothing.

    Raises ``RegisterMapError`` with one message per bad row or bad map and
    changes nothing then. Returns the number of tags per machine code.
    """
    rows_by_machine, errors = _parse_rows(text)
    devices = {
        device.machine.code: device
        for device in PlcDevice.objects.select_related("machine").filter(
            machine__code__in=rows_by_machine
        )
    }
    for code in rows_by_machine:
        if code not in devices:
            if Machine.objects.filter(code=code).exists():
                errors.append(
                    _("Machine %(code)s has no PLC yet; add the PLC first.")
                    % {"code": code}
                )
            else:
                errors.append(_("There is no machine %(code)s.") % {"code": code})
    for code, rows in rows_by_machine.items():
        specs = [spec for _line, spec, _unit in rows]
        errors.extend(
            _("Machine %(code)s: %(error)s") % {"code": code, "error": error}
            for error in validate_map(specs)
        )
    if errors:
        raise RegisterMapError(errors)

    with transaction.atomic():
        for code, rows in rows_by_machine.items():
            _replace_tags(devices[code], rows, actor)
    return {code: len(rows) for code, rows in rows_by_machine.items()}


def _parse_rows(
    text: str,
) -> tuple[dict[str, list[tuple[int, TagSpec, str]]], list[str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [
        column for column in CSV_COLUMNS if column not in (reader.fieldnames or [])
    ]
    if missing:
        return {}, [
            _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}
        ]
    rows: dict[str, list[tuple[int, TagSpec, str]]] = defaultdict(list)
    errors: list[str] = []
    for line, row in enumerate(reader, start=2):
        try:
            spec = TagSpec(
                id=0,
                name=_required(row, "name"),
                register_kind=_required(row, "register_kind"),
                address=_integer(row, "address"),
                data_type=_required(row, "data_type"),
                word_order=(row.get("word_order") or WordOrder.BIG).strip(),
                scale=_number(row, "scale", 1.0),
                offset=_number(row, "offset", 0.0),
                role=_required(row, "role"),
                minimum=_number(row, "minimum", None),
                maximum=_number(row, "maximum", None),
                deadband=_number(row, "deadband", 0.0),
            )
        except ValueError as error:
            errors.append(_("Row %(line)s: %(error)s") % {"line": line, "error": error})
            continue
        row_errors = _tag_errors(spec)
        errors.extend(
            _("Row %(line)s: %(error)s") % {"line": line, "error": error}
            for error in row_errors
        )
        rows[_required(row, "machine")].append(
            (line, spec, (row.get("unit") or "").strip())
        )
    return rows, errors


def _replace_tags(
    device: PlcDevice, rows: list[tuple[int, TagSpec, str]], actor: Any
) -> None:
    kept = {spec.name for _line, spec, _unit in rows}
    for tag in device.tags.exclude(name__in=kept):
        audit.record_delete(tag, actor=actor, reason=_("Register map import"))
        tag.delete()
    for _line, spec, unit in rows:
        values = {
            "register_kind": spec.register_kind,
            "address": spec.address,
            "data_type": spec.data_type,
            "word_order": spec.word_order,
            "scale": Decimal(str(spec.scale)),
            "offset": Decimal(str(spec.offset)),
            "role": spec.role,
            "unit": unit,
            "minimum": None if spec.minimum is None else Decimal(str(spec.minimum)),
            "maximum": None if spec.maximum is None else Decimal(str(spec.maximum)),
            "deadband": Decimal(str(spec.deadband)),
        }
        tag = device.tags.filter(name=spec.name).first()
        if tag is None:
            tag = Tag.objects.create(device=device, name=spec.name, **values)
            audit.record_create(tag, actor=actor, reason=_("Register map import"))
            continue
        changed = [
            name for name, value in values.items() if getattr(tag, name) != value
        ]
        if not changed:
            continue
        before = audit.snapshot(tag)
        for name in changed:
            setattr(tag, name, values[name])
        tag.save(update_fields=changed)
        tag.refresh_from_db()
        audit.record_change(tag, before, actor=actor, reason=_("Register map import"))


def _required(row: dict[str, str], column: str) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise ValueError(_("%(column)s is empty.") % {"column": column})
    return value


def _integer(row: dict[str, str], column: str) -> int:
    text = _required(row, column)
    try:
        return int(text)
    except ValueError:
        raise ValueError(
            _("%(column)s must be a whole number, not %(value)s.")
            % {"column": column, "value": text}
        ) from None


def _number(row: dict[str, str], column: str, default: float | None) -> Any:
    text = (row.get(column) or "").strip()
    if not text:
        return default
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(
            _("%(column)s must be a number, not %(value)s.")
            % {"column": column, "value": text}
        ) from None
    if not value.is_finite():
        raise ValueError(_("%(column)s must be a finite number.") % {"column": column})
    return float(value)


def _plain_decimal(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")
