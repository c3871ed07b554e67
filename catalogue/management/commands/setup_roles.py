from django.core.management.base import BaseCommand

from catalogue.services.roles import roles_setup


class Command(BaseCommand):
    help = "Create the role groups (中心管理员, 部门填报员, 督查人员) with their permissions."

    def handle(self, *args, **options):
        for group, count in roles_setup().items():
            self.stdout.write(f"{group}: {count} permissions")
