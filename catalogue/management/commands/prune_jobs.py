from django.core.management.base import BaseCommand, CommandError

from catalogue.services.background_jobs import background_jobs_fail_stalled, background_jobs_prune


class Command(BaseCommand):
    help = (
        "删除完成（已导入、已完成或失败）超过指定天数的后台导入、导出任务及导出的文件，"
        "以及不再被引用的上传文件（导入批次记录的文件保留）；先把后台进程已停止的任务标为失败。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=30, help="保留最近多少天内完成的任务（默认 30）"
        )

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError("--days 不能为负数。")
        stalled = background_jobs_fail_stalled()
        deleted = background_jobs_prune(days=days)
        self.stdout.write(
            self.style.SUCCESS(
                f"已将 {stalled} 个中断的任务标为失败；已删除 {deleted['importjob']} 个导入任务、"
                f"{deleted['exportjob']} 个导出任务、{deleted['importfile']} 个上传文件。"
            )
        )
