# Issue #24: an officer's own text (a result, a guidance) is public only when marked so.
# Cases closed before this carried that text in ``status_note``, shown on the status page and
# in Open311: replace it with the fixed wording (the text itself stays, sealed, in the timeline
# the reporter reads).

from django.db import migrations, models

RESOLVED_NOTE = "Vụ việc đã được giải quyết; kết quả đã được thông báo cho người báo tin."
DECLINED_NOTE = "Không thuộc thẩm quyền của Công an; người báo tin đã được hướng dẫn nơi giải quyết."
MERGED_NOTE = "Nội dung trùng với một vụ việc khác, được giải quyết chung."


def scrub_officer_text(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for status, note in (
        ("resolved", RESOLVED_NOTE),
        ("declined", DECLINED_NOTE),
        ("merged", MERGED_NOTE),
    ):
        Case.objects.filter(status=status).exclude(status_note="").update(status_note=note)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_open_workload_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='public_summary',
            field=models.CharField(blank=True, max_length=2000, verbose_name='nội dung công khai'),
        ),
        migrations.RunPython(scrub_officer_text, migrations.RunPython.noop),
    ]
