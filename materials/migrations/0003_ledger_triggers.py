"""Make the stock ledger append-only, add code sequences, grant permissions."""

from django.db import migrations

from mes.lib.permissions import grant

FORBID_CHANGE = """
CREATE OR REPLACE FUNCTION materials_stock_move_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stock moves cannot be changed or deleted; post a new move';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER materials_stock_move_append_only
BEFORE UPDATE OR DELETE ON materials_stockmove
FOR EACH ROW EXECUTE FUNCTION materials_stock_move_append_only();

CREATE SEQUENCE IF NOT EXISTS materials_lot_code_seq;
CREATE SEQUENCE IF NOT EXISTS materials_purchase_plan_seq;
CREATE SEQUENCE IF NOT EXISTS materials_stock_count_seq;
"""

ALLOW_CHANGE = """
DROP SEQUENCE IF EXISTS materials_stock_count_seq;
DROP SEQUENCE IF EXISTS materials_purchase_plan_seq;
DROP SEQUENCE IF EXISTS materials_lot_code_seq;
DROP TRIGGER IF EXISTS materials_stock_move_append_only ON materials_stockmove;
DROP FUNCTION IF EXISTS materials_stock_move_append_only();
"""

GRANTS = {
    "materials": ["materials.*"],
    "admin": ["materials.*"],
    "planner": ["materials.view_*"],
    "supervisor": ["materials.view_*"],
    "quality": ["materials.view_*"],
}


def grant_permissions(apps, schema_editor):
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("materials", "0002_stock_ledger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunSQL(FORBID_CHANGE, ALLOW_CHANGE),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
