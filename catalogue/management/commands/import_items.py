import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from catalogue.importing import FileProblem, ImportProblem, messages
from catalogue.importing.columns import COLUMN_BY_FIELD
from catalogue.importing.plan import RowError, mapping_from_text
from catalogue.roles import may_import_items
from catalogue.services.importing import items_import
from catalogue.text import os_error_reason


class Command(BaseCommand):
    help = "从 Excel 文件（.xlsx）导入实施清单事项：按实施编码新增或更新；有任何错误则不写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel 文件路径（.xlsx）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并显示结果，不写入数据库")
        parser.add_argument(
            "--user",
            help="以该用户的身份和权限范围导入，并记入导入批次（不填：以服务器管理员身份导入全部实施主体）",
        )
        parser.add_argument(
            "--sheet", help="要导入的工作表名称（文件中有多个含事项的工作表时必填）"
        )
        parser.add_argument(
            "--map",
            dest="column_map",
            action="append",
            default=[],
            metavar="列标题=要素",
            help="指定文件中某列对应的要素，如 --map '办结时限=承诺办结时限'；"
            "“列标题=忽略”或“列标题=”表示不读取该列。可重复。",
        )

    def handle(self, *args, file, dry_run, user=None, sheet=None, column_map=(), **options):
        try:
            mapping = mapping_from_text(column_map)
        except FileProblem as problem:
            raise CommandError(problem.message) from None
        if user is not None:
            try:
                user = get_user_model().objects.get(username=user, is_active=True)
            except get_user_model().DoesNotExist:
                raise CommandError(f"没有名为“{user}”的有效用户。") from None
            if not may_import_items(user):
                raise CommandError(
                    f"用户“{user}”没有导入实施清单事项的权限，未写入任何内容。"
                    "请改用有导入权限的用户（中心管理员或部门填报员），或不填 --user。"
                )
        try:
            with open(file, "rb") as stream:
                data = stream.read()
        except OSError as error:
            raise CommandError(f"无法读取文件：{os_error_reason(error)}（{file}）") from None
        try:
            # The file is kept with the batch, like an upload in the admin, only if written.
            result = items_import(
                file=data,
                user=user,
                file_name=os.path.basename(file),
                keep_file=True,
                dry_run=dry_run,
                sheet=sheet,
                mapping=mapping,
            )
        except ImportProblem as problem:
            # Another import or edit got there between the check and the write.
            raise CommandError(str(problem.message)) from None
        plan = result.plan
        if plan.file_problem:
            if plan.sheet_choices:
                self.stderr.write("请用 --sheet 选择工作表。")
            if plan.unplaced:
                self.stderr.write("请用 --map '列标题=要素'（或 '列标题=忽略'）指定这些列。")
            raise CommandError(plan.file_problem)
        for header, name in plan.column_readings:
            if header != COLUMN_BY_FIELD[name].header:
                self.stdout.write(f"{header} → {COLUMN_BY_FIELD[name].header}")
        for warning in plan.warnings:
            self.stderr.write(str(warning) if isinstance(warning, RowError) else warning)
        if plan.unknown_columns:
            self.stderr.write(
                str(messages.UNKNOWN_COLUMNS.format(columns="、".join(plan.unknown_columns)))
            )
        self.stdout.write(plan.summary())
        if plan.has_errors:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError(messages.NOTHING_WRITTEN)
        if dry_run:
            self.stdout.write(str(messages.DRY_RUN_DONE))
        else:
            counts = plan.counts
            self.stdout.write(self.style.SUCCESS(str(messages.WRITTEN.format(**counts))))
