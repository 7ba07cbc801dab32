"""Make the audit trail append-only in the database itself.

Row updates and deletes are refused for every client. TRUNCATE, a
database administrator's tool that the application never issues, stays
possible so that test databases can be emptied.
"""

from django.db import migrations

FORBID_CHANGE = """
CREATE OR REPLACE FUNCTION mes_audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER mes_audit_entry_append_only
BEFORE UPDATE OR DELETE ON mes_auditentry
FOR EACH ROW EXECUTE FUNCTION mes_audit_entry_append_only();
"""

ALLOW_CHANGE = """
DROP TRIGGER IF EXISTS mes_audit_entry_append_only ON mes_auditentry;
DROP FUNCTION IF EXISTS mes_audit_entry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("mes", "0001_initial")]

    operations = [migrations.RunSQL(FORBID_CHANGE, ALLOW_CHANGE)]
