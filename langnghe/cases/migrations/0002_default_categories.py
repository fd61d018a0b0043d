from django.db import migrations


def load(apps, schema_editor):
    from langnghe.cases.policies import categories_apply

    categories_apply(apps.get_model("cases", "Category"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
