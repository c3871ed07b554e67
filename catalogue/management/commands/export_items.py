from django.core.management.base import BaseCommand, CommandError

from catalogue.exporting import export_xlsx
from catalogue.selectors import service_item_list
from catalogue.text import os_error_reason


class Command(BaseCommand):
    help = "把整个实施清单导出为 Excel 文件（.xlsx，即导入模板的格式）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要写入的 .xlsx 文件路径")

    def handle(self, *args, file, **options):
        try:
            count = export_xlsx(service_item_list(with_related=False), file)
        except OSError as error:
            raise CommandError(f"无法写入文件：{os_error_reason(error)}（{file}）") from None
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 项到 {file}。"))
