import datetime as dt

from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def expire_existing(apps, schema_editor):
    """Tokens made before expiry existed get the default lifetime from their creation: an old
    token is not left valid for ever (and one older than that stops at once)."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    days = getattr(settings, "LANGNGHE_API_TOKEN_DAYS", 90)
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=F("created_at") + dt.timedelta(days=days)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(expire_existing, migrations.RunPython.noop),
    ]
