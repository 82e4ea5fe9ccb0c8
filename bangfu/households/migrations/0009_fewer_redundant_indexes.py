"""Fewer person indexes: every one of them is paid for on each insert and, in a bulk load, by a
rebuild (households/bulkload.py), and these served nothing another index does not.

- the foreign-key index on person.household_id: person_unique_id_in_household (household_id,
  id_token) leads with the same column;
- the index on person.birth_date: person_birth_labour_id leads with it;
- person_household_relation (household_id, relation): a household's few members are found
  through the unique index above, its head through person_one_head_per_household;
- on PostgreSQL, the pattern (`_like`) index Django adds to an indexed text column, on
  id_token: tokens are only ever compared whole. The token index itself becomes
  person_id_token, a plain b-tree.

The state changes are Django's; the database changes drop the indexes by name (as the
database names them, found by introspection), so no table is rebuilt on SQLite, which an
AlterField of db_index would do.
"""

from django.db import migrations, models

PERSON = "households_person"
# The single-column indexes dropped, by column (names found by introspection).
DROPPED = ("household_id", "birth_date", "id_token")


def _single_column_indexes(schema_editor, column):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, PERSON)
    return sorted(
        name
        for name, c in found.items()
        if c["index"] and not c["unique"] and not c["primary_key"] and c["columns"] == [column]
    )


def drop_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for column in DROPPED:
        for name in _single_column_indexes(schema_editor, column):
            schema_editor.execute(f"DROP INDEX {quote(name)}")


def create_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for column in DROPPED:
        name = f"households_person_{column}_rev"
        schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(PERSON)} ({quote(column)})")


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0008_monitoring_counts_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="person", name="person_household_relation"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="person",
                    name="birth_date",
                    field=models.DateField(verbose_name="birth date"),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="household",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="persons",
                        to="households.household",
                        verbose_name="household",
                    ),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="id_token",
                    field=models.CharField(editable=False, max_length=64, verbose_name="ID token"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["id_token"], name="person_id_token"),
        ),
    ]
