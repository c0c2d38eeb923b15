from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_youth_offline_since")]

    operations = [
        migrations.AlterField(
            model_name="counselorprofile",
            name="presence",
            field=models.CharField(
                choices=[("available", "Available"), ("away", "Away"), ("break", "On a break")],
                default="away",
                max_length=16,
            ),
        ),
    ]
