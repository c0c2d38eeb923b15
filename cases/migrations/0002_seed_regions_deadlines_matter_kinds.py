"""Seed data: Guangdong's region tree (cases/data/regions_440000.json), the deadline of every
category and priority, the kinds of matters handed over (cases/seeds.py). Existing rows are
kept as the admin left them: rules and kinds are only added when missing."""

from django.db import migrations


def seed(apps, schema_editor):
    from cases.regions import GUANGDONG, load_regions, read_region_file
    from cases.seeds import MATTER_KINDS, deadline_rows

    load_regions(apps.get_model("cases", "Region"), read_region_file(GUANGDONG))
    DeadlineRule = apps.get_model("cases", "DeadlineRule")
    for row in deadline_rows():
        DeadlineRule.objects.get_or_create(
            category=row["category"],
            priority=row["priority"],
            defaults={k: row[k] for k in ("accept_within_hours", "resolve_within_hours")},
        )
    MatterKind = apps.get_model("cases", "MatterKind")
    for position, (code, name, name_en, hands_to) in enumerate(MATTER_KINDS):
        MatterKind.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "hands_to": hands_to, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
