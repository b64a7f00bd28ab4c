# The content type of the panel's deadline settings follows the model (decision 48): the row is
# renamed, not recreated, so permissions given to groups or users (`reminders.change_panelremindersettings`
# becomes `agencies.change_panelremindersettings`) and admin log entries keep pointing at it.

from django.db import migrations

MODELS = ["panelremindersettings"]


def move_content_types(apps, schema_editor, source, target):
    """Give the content types of MODELS the app label `target`.

    Where `target`'s row exists already (a `migrate` that stopped between the moves lets Django
    create it), what points at the `source` row is moved onto it first: a group's permissions go
    to the permission of the same codename, and any other reference (reminders, log entries,
    object permissions) is repointed.
    """
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in MODELS:
        old = ContentType.objects.using(db).filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.using(db).filter(app_label=target, model=model).first()
        if new is None:
            ContentType.objects.using(db).filter(pk=old.pk).update(app_label=target)
            continue
        for perm in Permission.objects.using(db).filter(content_type=old):
            twin = Permission.objects.using(db).filter(content_type=new, codename=perm.codename).first()
            if twin is None:
                Permission.objects.using(db).filter(pk=perm.pk).update(content_type=new)
                continue
            for group in perm.group_set.all():
                group.permissions.add(twin)
            for user in perm.user_set.all():
                user.user_permissions.add(twin)
        for related in apps.get_models():
            if related is Permission:
                continue
            for field in related._meta.concrete_fields:
                if field.is_relation and field.related_model is ContentType:
                    related._base_manager.using(db).filter(**{field.name: old}).update(**{field.name: new})
        old.delete()


def forwards(apps, schema_editor):
    move_content_types(apps, schema_editor, "reminders", "agencies")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, "agencies", "reminders")


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0008_panel_reminder_settings_table"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
