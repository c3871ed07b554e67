from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from catalogue.services import demo_catalogue_load, demo_users_ensure


class Command(BaseCommand):
    help = "Load the demo catalogue of 深圳市光明区 (681 items) and print the demo login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only when the catalogue holds no item yet.",
        )

    def handle(self, *args, if_empty, **options):
        result = demo_catalogue_load(if_empty=if_empty)
        if result.skipped:
            self.stdout.write(_("目录中已有事项，未载入演示目录。"))
        elif any(result.created.values()):
            self.stdout.write(
                _("演示目录已载入：新建 %(items)d 个事项、%(departments)d 个实施主体。")
                % result.created
            )
        else:
            self.stdout.write(_("演示目录已齐全，未作更改。"))
        for login in demo_users_ensure():
            self.stdout.write(
                self.style.SUCCESS(
                    _("演示登录  用户名：%(username)s  密码：%(password)s")
                    % {"username": login.username, "password": login.password}
                )
            )
