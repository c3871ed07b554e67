from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from demo.users import demo_users_ensure


class Command(BaseCommand):
    help = (
        "Create one demo login per role (centre_admin, dept_staff, supervisor) and print them. "
        "Passwords: DEMO_PASSWORD when set, else random."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="give existing demo users a new password too",
        )

    def handle(self, *args, reset_passwords=False, **options):
        try:
            logins = demo_users_ensure(reset_passwords=reset_passwords)
        except ValidationError as error:
            raise CommandError("DEMO_PASSWORD: " + " ".join(error.messages)) from error
        for login in logins:
            password = login.password or "(unchanged)"
            departments = f"  [{', '.join(login.departments)}]" if login.departments else ""
            self.stdout.write(f"{login.role}  {login.username} / {password}{departments}")
