from django.db import migrations

CHANNELS = ["广东政务服务网APP", "粤省事", "微信公众号"]


def seed_channels(apps, schema_editor):
    MobileChannel = apps.get_model("catalogue", "MobileChannel")
    for order, name in enumerate(CHANNELS, start=1):
        MobileChannel.objects.get_or_create(name=name, defaults={"sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(seed_channels, migrations.RunPython.noop)]
