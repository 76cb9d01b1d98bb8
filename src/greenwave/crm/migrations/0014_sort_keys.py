"""The sort keys of the two list sorts that went through a join (issue #23, 3b).

`Contact.company_name` (the client's name, NULL without a client) and
`Company.responsible_last_name` (the responsible's surname) are copies kept by database
triggers, so that every writer — the services, `QuerySet.update`, the import's `COPY`, the
dataset generator (which writes with `session_replication_role = replica`: the PostgreSQL
triggers are `ENABLE ALWAYS`), raw SQL — keeps them right:

- a contact's key is set from its company on insert and whenever its `company_id` or the key
  itself is written with another value (so nothing can store a wrong one);
- a company's rename writes the new name into its contacts' keys;
- a company's key is set from its responsible on insert and on a change of `responsible_id`
  or of the key;
- a user's change of surname writes it into the keys of the companies they answer for.

SQLite has no `NEW.x :=`: its triggers run after the row is written and update it when the
key differs. A later migration that makes SQLite rebuild `crm_contact`, `crm_company` or
`accounts_user` (`_remake_table`: most `AlterField`s, a non-null `AddField`…) fails on
SQLite with "error in trigger crm_…: no such table: main.crm_…" (the rename step checks the
other tables' triggers, which name the dropped table; tried with Django 5.2, SQLite 3.40).
Such a migration must run `SQLITE_REVERSE` before its operations and `SQLITE_TRIGGERS` and
`SQLITE_FILL` after them (SQLite only); `crm/tests/test_sort_keys.py` lists the triggers
present after `migrate`, so one left out is caught.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import migrations, models

POSTGRESQL_FORWARD = """
UPDATE crm_contact c SET company_name = co.name FROM crm_company co WHERE co.id = c.company_id;
UPDATE crm_company c SET responsible_last_name = u.last_name
  FROM accounts_user u WHERE u.id = c.responsible_id;

CREATE FUNCTION crm_contact_company_name_set() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.company_id IS NULL THEN
    NEW.company_name := NULL;
  ELSE
    SELECT name INTO NEW.company_name FROM crm_company WHERE id = NEW.company_id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER crm_contact_company_name_ins BEFORE INSERT ON crm_contact FOR EACH ROW
  WHEN (NEW.company_id IS NOT NULL OR NEW.company_name IS NOT NULL)
  EXECUTE FUNCTION crm_contact_company_name_set();
CREATE TRIGGER crm_contact_company_name_upd
  BEFORE UPDATE OF company_id, company_name ON crm_contact FOR EACH ROW
  WHEN (NEW.company_id IS DISTINCT FROM OLD.company_id
        OR NEW.company_name IS DISTINCT FROM OLD.company_name)
  EXECUTE FUNCTION crm_contact_company_name_set();

CREATE FUNCTION crm_company_name_spread() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE crm_contact SET company_name = NEW.name
    WHERE company_id = NEW.id AND company_name IS DISTINCT FROM NEW.name;
  RETURN NULL;
END $$;
CREATE TRIGGER crm_company_name_spread AFTER UPDATE OF name ON crm_company FOR EACH ROW
  WHEN (NEW.name IS DISTINCT FROM OLD.name)
  EXECUTE FUNCTION crm_company_name_spread();

CREATE FUNCTION crm_company_responsible_last_name_set() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.responsible_id IS NULL THEN
    NEW.responsible_last_name := NULL;
  ELSE
    SELECT last_name INTO NEW.responsible_last_name FROM accounts_user
      WHERE id = NEW.responsible_id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER crm_company_responsible_last_name_ins BEFORE INSERT ON crm_company
  FOR EACH ROW EXECUTE FUNCTION crm_company_responsible_last_name_set();
CREATE TRIGGER crm_company_responsible_last_name_upd
  BEFORE UPDATE OF responsible_id, responsible_last_name ON crm_company FOR EACH ROW
  WHEN (NEW.responsible_id IS DISTINCT FROM OLD.responsible_id
        OR NEW.responsible_last_name IS DISTINCT FROM OLD.responsible_last_name)
  EXECUTE FUNCTION crm_company_responsible_last_name_set();

CREATE FUNCTION crm_user_last_name_spread() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE crm_company SET responsible_last_name = NEW.last_name
    WHERE responsible_id = NEW.id AND responsible_last_name IS DISTINCT FROM NEW.last_name;
  RETURN NULL;
END $$;
CREATE TRIGGER crm_user_last_name_spread AFTER UPDATE OF last_name ON accounts_user
  FOR EACH ROW WHEN (NEW.last_name IS DISTINCT FROM OLD.last_name)
  EXECUTE FUNCTION crm_user_last_name_spread();

ALTER TABLE crm_contact ENABLE ALWAYS TRIGGER crm_contact_company_name_ins;
ALTER TABLE crm_contact ENABLE ALWAYS TRIGGER crm_contact_company_name_upd;
ALTER TABLE crm_company ENABLE ALWAYS TRIGGER crm_company_name_spread;
ALTER TABLE crm_company ENABLE ALWAYS TRIGGER crm_company_responsible_last_name_ins;
ALTER TABLE crm_company ENABLE ALWAYS TRIGGER crm_company_responsible_last_name_upd;
ALTER TABLE accounts_user ENABLE ALWAYS TRIGGER crm_user_last_name_spread;
"""

POSTGRESQL_REVERSE = """
DROP TRIGGER crm_user_last_name_spread ON accounts_user;
DROP TRIGGER crm_company_responsible_last_name_upd ON crm_company;
DROP TRIGGER crm_company_responsible_last_name_ins ON crm_company;
DROP TRIGGER crm_company_name_spread ON crm_company;
DROP TRIGGER crm_contact_company_name_upd ON crm_contact;
DROP TRIGGER crm_contact_company_name_ins ON crm_contact;
DROP FUNCTION crm_user_last_name_spread();
DROP FUNCTION crm_company_responsible_last_name_set();
DROP FUNCTION crm_company_name_spread();
DROP FUNCTION crm_contact_company_name_set();
"""

_CONTACT_KEY = "(SELECT name FROM crm_company WHERE id = NEW.company_id)"
_COMPANY_KEY = "(SELECT last_name FROM accounts_user WHERE id = NEW.responsible_id)"

# One statement each (Django's SQLite backend runs one statement per `execute`).
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER crm_contact_company_name_ins AFTER INSERT ON crm_contact
    WHEN NEW.company_name IS NOT {_CONTACT_KEY}
    BEGIN UPDATE crm_contact SET company_name = {_CONTACT_KEY} WHERE id = NEW.id; END""",
    f"""CREATE TRIGGER crm_contact_company_name_upd
    AFTER UPDATE OF company_id, company_name ON crm_contact
    WHEN NEW.company_name IS NOT {_CONTACT_KEY}
    BEGIN UPDATE crm_contact SET company_name = {_CONTACT_KEY} WHERE id = NEW.id; END""",
    """CREATE TRIGGER crm_company_name_spread AFTER UPDATE OF name ON crm_company
    WHEN NEW.name IS NOT OLD.name
    BEGIN UPDATE crm_contact SET company_name = NEW.name WHERE company_id = NEW.id; END""",
    f"""CREATE TRIGGER crm_company_responsible_last_name_ins AFTER INSERT ON crm_company
    WHEN NEW.responsible_last_name IS NOT {_COMPANY_KEY}
    BEGIN UPDATE crm_company SET responsible_last_name = {_COMPANY_KEY} WHERE id = NEW.id; END""",
    f"""CREATE TRIGGER crm_company_responsible_last_name_upd
    AFTER UPDATE OF responsible_id, responsible_last_name ON crm_company
    WHEN NEW.responsible_last_name IS NOT {_COMPANY_KEY}
    BEGIN UPDATE crm_company SET responsible_last_name = {_COMPANY_KEY} WHERE id = NEW.id; END""",
    """CREATE TRIGGER crm_user_last_name_spread AFTER UPDATE OF last_name ON accounts_user
    WHEN NEW.last_name IS NOT OLD.last_name
    BEGIN
      UPDATE crm_company SET responsible_last_name = NEW.last_name WHERE responsible_id = NEW.id;
    END""",
]

SQLITE_FILL = [
    "UPDATE crm_contact SET company_name = "
    "(SELECT name FROM crm_company WHERE id = crm_contact.company_id) "
    "WHERE company_id IS NOT NULL",
    "UPDATE crm_company SET responsible_last_name = "
    "(SELECT last_name FROM accounts_user WHERE id = crm_company.responsible_id)",
]

SQLITE_REVERSE = [
    f"DROP TRIGGER {name}"
    for name in (
        "crm_user_last_name_spread",
        "crm_company_responsible_last_name_upd",
        "crm_company_responsible_last_name_ins",
        "crm_company_name_spread",
        "crm_contact_company_name_upd",
        "crm_contact_company_name_ins",
    )
]


def _statements(vendor: str, *, forward: bool) -> list[str]:
    if vendor == "postgresql":
        return [POSTGRESQL_FORWARD if forward else POSTGRESQL_REVERSE]
    if vendor == "sqlite":
        return [*SQLITE_FILL, *SQLITE_TRIGGERS] if forward else SQLITE_REVERSE
    raise NotImplementedError(f"crm sort-key triggers for {vendor}")


def keys_forward(apps: Any, schema_editor: Any) -> None:
    for sql in _statements(schema_editor.connection.vendor, forward=True):
        schema_editor.execute(sql, params=None)


def keys_reverse(apps: Any, schema_editor: Any) -> None:
    for sql in _statements(schema_editor.connection.vendor, forward=False):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_apifast_scope_stamp"),
        ("crm", "0013_importfast3_checked_stamp"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="company",
            name="responsible_last_name",
            field=models.CharField(editable=False, max_length=150, null=True),
        ),
        migrations.AddField(
            model_name="contact",
            name="company_name",
            field=models.CharField(editable=False, max_length=255, null=True),
        ),
        # The keys are filled and the triggers made before the indexes are built.
        migrations.RunPython(keys_forward, keys_reverse),
        migrations.AddIndex(
            model_name="company",
            index=models.Index(
                condition=models.Q(("is_deleted", False), ("merged_into__isnull", True)),
                fields=["responsible_last_name", "name", "id"],
                name="crm_company_resp_sort_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("is_deleted", False)),
                fields=["company_name", "full_name", "id"],
                name="crm_contact_company_sort_idx",
            ),
        ),
    ]
