from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q, Subquery


def close_superseded_records(apps, schema_editor):
    # The rule of catalogue.history.history_validity_close, frozen here: every record is valid
    # until the next record of the same item, by (history_date, history_id).
    records = apps.get_model("catalogue", "HistoricalServiceItem").objects.using(
        schema_editor.connection.alias
    )
    later = records.filter(id=OuterRef("id")).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    records.filter(Exists(later)).update(
        valid_until=Subquery(
            later.order_by("history_date", "history_id").values("history_date")[:1]
        )
    )


class Migration(migrations.Migration):
    # After the backfill of initial records (0009): it must run once every record exists.
    dependencies = [
        ("catalogue", "0013_kept_uploads"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalserviceitem",
            name="valid_until",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="有效期至"
            ),
        ),
        migrations.RunPython(close_superseded_records, migrations.RunPython.noop),
    ]
