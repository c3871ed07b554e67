"""Stands in for django-import-export's `import` command, which would write items unchecked.

Given a model, that command builds a resource of its own and stores whatever the file holds
(no rule, no department scope, no history). This app comes before import_export in
INSTALLED_APPS, so `manage.py import` is this command.
"""

import argparse

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "不可用：请用 manage.py import_items 导入实施清单事项。"

    def add_arguments(self, parser):
        parser.add_argument("arguments", nargs=argparse.REMAINDER)

    def handle(self, *args, **options):
        raise CommandError(
            "manage.py import 不检查事项、不记录历史，已停用；"
            "请用 manage.py import_items 文件.xlsx [--dry-run] [--user 用户名] 导入实施清单事项。"
        )
