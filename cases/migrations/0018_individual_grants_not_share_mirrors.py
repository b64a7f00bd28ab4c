"""Individual grants get a reason, an end date and who granted them; agencies' shares lose their
guardian mirror, which nothing read (decision 96).

Grants made before (from a shell, with neither reason nor end) keep working for 30 days from the
upgrade, then the sweep ends them and records it: whoever still needs one is granted it again
through the case page, with a reason.
"""

import datetime

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def _grace_for_earlier_grants(apps, schema_editor):
    grants = apps.get_model("cases", "CaseUserObjectPermission")
    ends = django.utils.timezone.now() + datetime.timedelta(days=30)
    grants.objects.update(ends_at=ends, reason="Granted before grants had a reason and an end date (decision 96).")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0017_index_person_key_trigrams'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='caseuserobjectpermission',
            options={'ordering': ['ends_at', 'pk'], 'verbose_name': 'individual grant', 'verbose_name_plural': 'individual grants'},
        ),
        migrations.AddField(
            model_name='caseuserobjectpermission',
            name='ends_at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='ends'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='caseuserobjectpermission',
            name='granted_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='granted'),
        ),
        migrations.AddField(
            model_name='caseuserobjectpermission',
            name='granted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='granted by'),
        ),
        migrations.AddField(
            model_name='caseuserobjectpermission',
            name='reason',
            field=models.TextField(default='', verbose_name='reason'),
            preserve_default=False,
        ),
        migrations.RunPython(_grace_for_earlier_grants, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='caseuserobjectpermission',
            name='content_object',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='grants', to='cases.case'),
        ),
        migrations.DeleteModel(
            name='CaseGroupObjectPermission',
        ),
    ]
