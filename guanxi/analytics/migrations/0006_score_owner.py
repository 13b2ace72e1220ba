"""The customer's owner on its score row, for the rep's dashboard top lists; filled
from the customers for scores computed before (the next scoring run rewrites it)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


FILL_OWNERS = """
UPDATE analytics_customerscore SET scope_owner_id = (
  SELECT owner_id FROM customers_customer
  WHERE customers_customer.id = analytics_customerscore.customer_id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0005_scores_and_history_without_database_fk"),
        ("customers", "0006_duplicate_pairs_without_fk_constraints"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="customerscore",
            name="scope_owner",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="customer owner",
            ),
        ),
        migrations.RunSQL(FILL_OWNERS, migrations.RunSQL.noop, elidable=True),
        migrations.AddIndex(
            model_name="customerscore",
            index=models.Index(
                condition=models.Q(("is_at_risk", True)),
                fields=["scope_owner", "-value_at_risk", "customer"],
                name="score_owner_at_risk",
            ),
        ),
        migrations.AddIndex(
            model_name="customerscore",
            index=models.Index(
                fields=["scope_owner", "-clv_12m", "customer"], name="score_owner_clv"
            ),
        ),
    ]
