import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from langnghe.cases.routing import route

EVAL_SET = Path(__file__).resolve().parents[2] / "data" / "address_eval.jsonl"
# Stated before the first run: 9 addresses in 10 reach today's unit, in each form.
TARGET = 0.9


def evaluate(path: Path = EVAL_SET) -> dict[str, tuple[int, int, list]]:
    """Per form: (right, total, misses) of the routing of each held-out address."""
    results: dict[str, tuple[int, int, list]] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        item = json.loads(line)
        got = route(address=item["address"])
        right, total, misses = results.get(item["form"], (0, 0, []))
        ok = got.routed_by == "address" and got.unit.code == item["expected"]
        if not ok:
            misses.append((item["address"], item["expected"], got.unit.code))
        results[item["form"]] = (right + ok, total + 1, misses)
    return results


class Command(BaseCommand):
    help = (
        "Đo tỷ lệ địa chỉ (dạng 2021 có huyện và dạng 2025) đến đúng đơn vị hiện hành trên tập "
        "kiểm tra giữ riêng; cần mạng lưới Bắc Ninh hiện hành (load_demo --reorganized). "
        f"Thoát lỗi nếu dưới {TARGET:.0%}."
    )

    def handle(self, *args, **options):
        from langnghe.units.models import Unit

        if not Unit.objects.filter(code="T24", is_active=True).exists():
            raise CommandError(
                "Chưa có mạng lưới Bắc Ninh hiện hành: chạy `langnghe load_demo --reorganized` "
                'hoặc `langnghe import_units --province "Bắc Ninh"` trước.'
            )
        results = evaluate()
        failed = False
        for form, (right, total, misses) in sorted(results.items()):
            share = right / total
            failed |= share < TARGET
            self.stdout.write(f"Địa chỉ dạng {form}: {right}/{total} đúng đơn vị ({share:.1%})")
            for address, expected, got in misses[:10]:
                self.stdout.write(f"   sai: {address!r} → {got} (cần {expected})")
        if failed:
            raise CommandError(f"Dưới mục tiêu {TARGET:.0%}.")
