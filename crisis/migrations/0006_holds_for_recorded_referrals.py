"""Referrals recorded before transcript holds existed put their hold now (moderation.holds)."""

from django.db import migrations


def place_holds(apps, schema_editor):  # type: ignore[no-untyped-def]
    Referral = apps.get_model("crisis", "Referral")
    TranscriptHold = apps.get_model("moderation", "TranscriptHold")
    holds = {
        (conversation_id, "mandatory_report" if kind == "mandatory_report" else "referral")
        for conversation_id, kind in Referral.objects.values_list("conversation_id", "kind")
    }
    TranscriptHold.objects.bulk_create(
        [TranscriptHold(conversation_id=c, reason=r) for c, r in sorted(holds)], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("crisis", "0005_translated_labels"),
        ("moderation", "0002_holds_retention_runs_access_reason"),
    ]

    operations = [migrations.RunPython(place_holds, migrations.RunPython.noop)]
