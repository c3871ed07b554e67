from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from catalogue.demo_users import demo_users_ensure
from catalogue.services.demo_load import demo_catalogue_load


class Command(BaseCommand):
    help = "Load the demo catalogue of 深圳市光明区 (681 items) and print one demo login per role."

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
        try:
            # Passwords are only stored hashed, so each run sets the ones it prints.
            logins = demo_users_ensure(reset_passwords=True)
        except ValidationError as error:
            raise CommandError("DEMO_PASSWORD: " + " ".join(error.messages)) from error
        template = _("演示登录（%(role)s）  用户名：%(username)s  密码：%(password)s")
        for login in logins:
            line = template % {
                "role": login.role,
                "username": login.username,
                "password": login.password,
            }
            if login.departments:
                line += f"  [{'、'.join(login.departments)}]"
            self.stdout.write(self.style.SUCCESS(line))
