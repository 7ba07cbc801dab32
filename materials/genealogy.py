"""Lot genealogy: trace backward (what went in) and forward (where it went).

Both traces are one recursive query over ``materials_lotlink``, whose two
covering indexes ((parent, child) and (child, parent), both including the
quantity) let PostgreSQL walk every level with index-only scans. ``UNION``
in the recursive term keeps each lot once, so merges, splits and even a
cycle end the walk instead of multiplying it. The same query returns the
root lot and, for every link reached, the far lot's code, status and item,
so a trace is a single round trip whatever its depth.

Limitations: a trace of a lot touching hundreds of thousands of lots is
returned in full; the pages cap what they draw (``TREE_NODE_LIMIT``).
"""

from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import connection

from materials.models import ItemKind, Lot

BACKWARD = "backward"
FORWARD = "forward"

# near: the column that leads back to the lot already reached; far: the
# column that names the next lot.
_COLUMNS = {FORWARD: ("parent_id", "child_id"), BACKWARD: ("child_id", "parent_id")}

_TRACE_SQL = """
WITH RECURSIVE reached(lot_id) AS (
    SELECT %(root)s::bigint
    UNION
    SELECT link.{far}
    FROM materials_lotlink link
    JOIN reached ON link.{near} = reached.lot_id
)
SELECT NULL::bigint, lot.id, NULL::numeric, lot.code, lot.status,
       item.code, item.name, item.kind
FROM materials_lot lot
JOIN materials_item item ON item.id = lot.item_id
WHERE lot.id = %(root)s
UNION ALL
SELECT link.{near}, link.{far}, link.quantity, lot.code, lot.status,
       item.code, item.name, item.kind
FROM reached
JOIN materials_lotlink link ON link.{near} = reached.lot_id
JOIN materials_lot lot ON lot.id = link.{far}
JOIN materials_item item ON item.id = lot.item_id
"""

TRACE_SQL = {
    direction: _TRACE_SQL.format(near=near, far=far)
    for direction, (near, far) in _COLUMNS.items()
}


class TracedLot(NamedTuple):
    """A lot as a trace returns it (a tuple: cheap to build by thousands)."""

    id: int
    code: str
    status: str
    item_code: str
    item_name: str
    item_kind: str

    @property
    def is_finished_good(self) -> bool:
        return self.item_kind == ItemKind.FINISHED_GOOD


@dataclass
class Trace:
    """Every lot reached from ``root`` in one direction, with the links.

    ``branches[lot_id]`` lists (next lot id, quantity) one level further in
    the trace's direction.
    """

    direction: str
    root: TracedLot
    lots: dict[int, TracedLot]
    branches: dict[int, list[tuple[int, Decimal]]] = field(default_factory=dict)

    @property
    def reached(self) -> list[TracedLot]:
        """Lots reached, the root left out, nearest levels first."""
        depths = self.depths()
        others = [lot for lot in self.lots.values() if lot.id != self.root.id]
        return sorted(others, key=lambda lot: (depths.get(lot.id, 0), lot.code))

    @property
    def link_count(self) -> int:
        return sum(len(entries) for entries in self.branches.values())

    def depths(self) -> dict[int, int]:
        """Fewest links from the root to each lot."""
        depths = {self.root.id: 0}
        queue = deque([self.root.id])
        while queue:
            current = queue.popleft()
            for next_id, _quantity in self.branches.get(current, ()):
                if next_id not in depths:
                    depths[next_id] = depths[current] + 1
                    queue.append(next_id)
        return depths

    def ends(self) -> list[TracedLot]:
        """Lots at the end of the trace: nothing further in its direction."""
        return [
            lot
            for lot in self.lots.values()
            if lot.id != self.root.id and not self.branches.get(lot.id)
        ]


def trace(lot: Lot | int, direction: str) -> Trace:
    """Trace a lot (or lot id) ``backward`` or ``forward``, all levels."""
    root_id = lot if isinstance(lot, int) else lot.pk
    with connection.cursor() as cursor:
        cursor.execute(TRACE_SQL[direction], {"root": root_id})
        rows = cursor.fetchall()
    lots: dict[int, TracedLot] = {}
    branches: dict[int, list[tuple[int, Decimal]]] = {}
    root: TracedLot | None = None
    for near, far, quantity, code, status, item_code, item_name, kind in rows:
        if far not in lots:
            lots[far] = TracedLot(far, code, status, item_code, item_name, kind)
        if near is None:
            root = lots[far]
        else:
            branches.setdefault(near, []).append((far, quantity))
    if root is None:
        raise Lot.DoesNotExist(f"No lot with id {root_id}")
    return Trace(direction, root, lots, branches)


def trace_backward(lot: Lot | int) -> Trace:
    """Everything that went into a lot, all levels down to purchased lots."""
    return trace(lot, BACKWARD)


def trace_forward(lot: Lot | int) -> Trace:
    """Everything a lot went into, all levels up to finished lots."""
    return trace(lot, FORWARD)


# The tree drawn on the lot page ------------------------------------------------

TREE_NODE_LIMIT = 1500


@dataclass
class TreeNode:
    lot: TracedLot
    quantity: Decimal | None
    children: list["TreeNode"] = field(default_factory=list)
    repeated: bool = False


def as_tree(trace_result: Trace, limit: int = TREE_NODE_LIMIT) -> tuple[TreeNode, bool]:
    """The trace as a tree for display, and whether it was cut at ``limit``.

    A lot reached along several paths is expanded once; later appearances
    are marked ``repeated`` and not expanded again.
    """
    root = TreeNode(trace_result.root, None)
    expanded = {trace_result.root.id}
    queue = deque([root])
    drawn = 1
    cut = False
    while queue:
        node = queue.popleft()
        for next_id, quantity in trace_result.branches.get(node.lot.id, ()):
            if drawn >= limit:
                cut = True
                break
            child = TreeNode(trace_result.lots[next_id], quantity)
            drawn += 1
            node.children.append(child)
            if next_id in expanded:
                child.repeated = True
            else:
                expanded.add(next_id)
                queue.append(child)
    return root, cut
