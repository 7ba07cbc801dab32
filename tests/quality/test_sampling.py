"""AQL sampling plans against the published ISO 2859-1 tables."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from quality import sampling


@pytest.mark.parametrize(
    ("lot_size", "letter"),
    [
        (2, "A"),
        (8, "A"),
        (9, "B"),
        (25, "C"),
        (26, "D"),
        (90, "E"),
        (150, "F"),
        (280, "G"),
        (500, "H"),
        (1200, "J"),
        (1201, "K"),
        (10000, "L"),
        (35000, "M"),
        (150000, "N"),
        (500000, "P"),
        (500001, "Q"),
    ],
)
def test_code_letters_follow_table_1_at_level_ii(lot_size, letter):
    # given a lot size / when its code letter is looked up / then Table 1
    assert sampling.code_letter(lot_size) == letter


@pytest.mark.parametrize(
    ("lot_size", "aql", "sample_size", "accept", "reject"),
    [
        # Plain cells of Table 2-A.
        (1000, "1.0", 80, 2, 3),
        (1000, "2.5", 80, 5, 6),
        (1000, "0.65", 80, 1, 2),
        (500, "4.0", 50, 5, 6),
        (5000, "1.5", 200, 7, 8),
        (50, "6.5", 8, 1, 2),
        (200000, "0.65", 800, 10, 11),
        (600000, "1.0", 1250, 21, 22),
        (3000, "10", 125, 21, 22),
        (20, "400", 5, 30, 31),
        (10, "1000", 3, 44, 45),
        # Down arrows: the first plan below, with its larger sample.
        (1000, "0.40", 125, 1, 2),
        (1000, "0.10", 125, 0, 1),
        (100, "0.25", 50, 0, 1),
        # Up arrows: the first plan above, with its smaller sample.
        (1000, "0.25", 50, 0, 1),
        (3000, "15", 80, 21, 22),
        (20, "1000", 3, 44, 45),
        (5000, "10", 125, 21, 22),
    ],
)
def test_aql_plans_match_the_master_table(lot_size, aql, sample_size, accept, reject):
    # when the plan for a lot size and AQL is looked up
    plan = sampling.aql_plan(lot_size, aql)

    # then sample size and acceptance / rejection numbers are the table's
    assert (plan.sample_size, plan.accept_number, plan.reject_number) == (
        sample_size,
        accept,
        reject,
    )
    assert not plan.inspects_all


def test_a_sample_larger_than_the_lot_inspects_every_unit():
    # given a lot of 10 (code letter B) at AQL 1.0, whose arrow leads to 13
    plan = sampling.aql_plan(10, Decimal("1.0"))

    # then all 10 units are inspected, accepting none nonconforming
    assert plan.sample_size == 10
    assert plan.inspects_all
    assert (plan.accept_number, plan.reject_number) == (0, 1)
    assert plan.code_letter == "E"


@pytest.mark.parametrize("aql", ["3.0", "0", "2000", "abc", ""])
def test_an_aql_outside_the_tables_is_refused(aql):
    with pytest.raises(ValidationError, match="not an AQL"):
        sampling.aql_plan(1000, aql)


@pytest.mark.parametrize("lot_size", [0, 1, -5])
def test_a_lot_too_small_for_the_tables_is_refused(lot_size):
    with pytest.raises(ValidationError, match="at least 2"):
        sampling.aql_plan(lot_size, "1.0")


def test_percentage_plans_round_up_and_fixed_plans_cap_at_the_lot():
    assert sampling.percentage_plan(Decimal("10"), 55).sample_size == 6
    assert sampling.percentage_plan(Decimal("0.5"), 10).sample_size == 1
    assert sampling.fixed_plan(5, 3).sample_size == 3
    assert sampling.fixed_plan(5, 100).sample_size == 5
    with pytest.raises(ValidationError):
        sampling.percentage_plan(Decimal("120"), 10)
