"""The price lists every installation starts with: a base list and the five discount lists a
head of sales chooses from when a client objects to the price (seed 001)."""

from django.db import migrations

BASE = "Базовый прайс-лист"
DISCOUNT = "Скидочный прайс-лист {n}"


def create(apps, schema_editor):
    PriceList = apps.get_model("crm", "PriceList")
    if not PriceList.objects.filter(kind="base").exists():
        PriceList.objects.create(name=BASE, kind="base", currency="RUB")
    for level in range(1, 6):
        if not PriceList.objects.filter(kind="discount", level=level).exists():
            PriceList.objects.create(
                name=DISCOUNT.format(n=level), kind="discount", level=level, currency="RUB"
            )


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_profile_competitors_products")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
