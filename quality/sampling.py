"""Sample sizes: fixed, a percentage, or ISO 2859-1 single sampling.

The AQL plans follow ISO 2859-1 (= GB/T 2828.1 = ANSI/ASQ Z1.4): Table 1
gives the sample size code letter for a lot size at general inspection
level II, and Table 2-A (single sampling plans for normal inspection, the
master table) gives the sample size and the acceptance (Ac) and rejection
(Re) numbers for a code letter and an AQL. Where the table shows an arrow,
the plan is the first one below (down arrow) or above (up arrow) in the same
AQL column, and its sample size replaces the code letter's.

The master table has a regular diagonal structure: along a row, the cells
step one column per code letter. ``_cell`` rebuilds each cell from that
structure; the tests compare it with cells read off the published table.

Limitations: only general inspection level II and normal inspection; the
switching rules to tightened or reduced inspection are not applied. The one
up arrow with no plan above it (code letter A at AQL 10) resolves to code
letter A's own plan, Ac 0 / Re 1. When the sample size reaches the lot size
every unit is inspected, with the plan's acceptance and rejection numbers.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Table 1, general inspection level II: upper lot size bound and code letter.
CODE_LETTERS_LEVEL_II = [
    (8, "A"),
    (15, "B"),
    (25, "C"),
    (50, "D"),
    (90, "E"),
    (150, "F"),
    (280, "G"),
    (500, "H"),
    (1200, "J"),
    (3200, "K"),
    (10000, "L"),
    (35000, "M"),
    (150000, "N"),
    (500000, "P"),
    (None, "Q"),
]

SAMPLE_SIZES = {
    "A": 2,
    "B": 3,
    "C": 5,
    "D": 8,
    "E": 13,
    "F": 20,
    "G": 32,
    "H": 50,
    "J": 80,
    "K": 125,
    "L": 200,
    "M": 315,
    "N": 500,
    "P": 800,
    "Q": 1250,
    "R": 2000,
}
LETTERS = list(SAMPLE_SIZES)

# The column heads of Table 2-A: AQL in percent nonconforming (up to 10) or
# nonconformities per hundred units.
AQL_VALUES = [
    Decimal(text)
    for text in [
        "0.010",
        "0.015",
        "0.025",
        "0.040",
        "0.065",
        "0.10",
        "0.15",
        "0.25",
        "0.40",
        "0.65",
        "1.0",
        "1.5",
        "2.5",
        "4.0",
        "6.5",
        "10",
        "15",
        "25",
        "40",
        "65",
        "100",
        "150",
        "250",
        "400",
        "650",
        "1000",
    ]
]

UP = "up"
DOWN = "down"

# Cells along a row after the plan Ac 0 / Re 1: the two arrows, then the
# acceptance numbers of the plans (Re is always Ac + 1 in single sampling).
_DIAGONAL: list[str | int] = [0, UP, DOWN, 1, 2, 3, 5, 7, 10, 14, 21, 30, 44]

# Code letters A to E reach Ac 44 in the high AQL columns; from F on the
# largest acceptance number in the table is 21.
_LAST_STEP_SMALL_LETTERS = 12
_LAST_STEP = 10


@dataclass(frozen=True)
class SamplingPlan:
    """How many units to inspect and how many nonconforming ones to allow."""

    sample_size: int
    accept_number: int
    reject_number: int
    code_letter: str = ""
    inspects_all: bool = False


def code_letter(lot_size: int) -> str:
    """Table 1: the code letter of a lot size at general level II."""
    if lot_size < 2:
        raise ValidationError(
            _("The lot size must be at least 2 for AQL sampling, not %(size)s."),
            params={"size": lot_size},
        )
    for upper, letter in CODE_LETTERS_LEVEL_II:
        if upper is None or lot_size <= upper:
            return letter
    raise AssertionError("unreachable")


def aql_column(aql: Decimal | str | float) -> int:
    """The index of an AQL among the table's columns; other values fail."""
    try:
        value = Decimal(str(aql))
    except ArithmeticError:
        value = Decimal(-1)
    for index, column in enumerate(AQL_VALUES):
        if value == column:
            return index
    raise ValidationError(
        _("%(aql)s is not an AQL of the ISO 2859-1 tables."), params={"aql": aql}
    )


def _cell(letter: str, column: int) -> str | int:
    """One cell of Table 2-A: an acceptance number, UP or DOWN."""
    row = LETTERS.index(letter)
    step = column + row - 14
    if step < 0:
        return DOWN
    last = _LAST_STEP_SMALL_LETTERS if row <= LETTERS.index("E") else _LAST_STEP
    if step > last:
        return UP
    return _DIAGONAL[step]


def master_table_plan(letter: str, aql: Decimal | str | float) -> SamplingPlan:
    """Table 2-A with its arrows followed: the plan for a code letter and AQL."""
    column = aql_column(aql)
    row = LETTERS.index(letter)
    while True:
        cell = _cell(LETTERS[row], column)
        if cell == DOWN:
            row += 1
        elif cell == UP and row > 0:
            row -= 1
        else:
            accept = 0 if cell == UP else int(cell)
            used = LETTERS[row]
            return SamplingPlan(SAMPLE_SIZES[used], accept, accept + 1, used)


def aql_plan(lot_size: int, aql: Decimal | str | float) -> SamplingPlan:
    """The ISO 2859-1 single sampling plan for a lot, normal inspection, II."""
    plan = master_table_plan(code_letter(lot_size), aql)
    if plan.sample_size >= lot_size:
        return SamplingPlan(
            lot_size, plan.accept_number, plan.reject_number, plan.code_letter, True
        )
    return plan


def fixed_plan(sample_size: int, lot_size: int | None) -> SamplingPlan:
    """A fixed number of units, all of them when the lot is smaller."""
    if sample_size < 1:
        raise ValidationError(_("The sample size must be at least 1."))
    if lot_size is not None and sample_size >= lot_size:
        return SamplingPlan(max(lot_size, 1), 0, 1, inspects_all=True)
    return SamplingPlan(sample_size, 0, 1)


def percentage_plan(percent: Decimal, lot_size: int) -> SamplingPlan:
    """A share of the lot, rounded up, at least one unit."""
    if not Decimal(0) < percent <= Decimal(100):
        raise ValidationError(
            _("The sample percentage must be above 0 and at most 100.")
        )
    if lot_size < 1:
        raise ValidationError(_("The lot size must be at least 1."))
    size = max(1, math.ceil(lot_size * percent / Decimal(100)))
    return SamplingPlan(min(size, lot_size), 0, 1, inspects_all=size >= lot_size)
