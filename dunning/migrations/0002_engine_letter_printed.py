"""engine: when a dunning letter was downloaded for printing (the "letters to print"
page lists the ones not printed yet)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dunning", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="dunningactionrecord",
            name="printed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="printed at"),
        ),
    ]
