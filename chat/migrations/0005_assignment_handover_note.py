from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("chat", "0004_end_reason_and_drop_notice")]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="handover_note",
            field=models.TextField(blank=True, default=""),
        ),
    ]
