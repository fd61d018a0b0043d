import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from langnghe.cases.routing import route
from langnghe.units.models import Unit

EVAL_SET = Path(__file__).resolve().parents[2] / "data" / "address_eval.jsonl"
# Stated before the first run: 9 addresses in 10 reach today's unit, in each form.
TARGET = 0.9


def _items(path: Path):
    """(address, form, expected unit code) of each line. Two layouts: the set written with
    the resolver's issue (``address``/``expected``) and the independent one written apart
    (``text``/``expected_2025``, comment lines with #)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        item = json.loads(line)
        if item.get("held_out"):
            continue
        if "expected" in item:
            yield item["address"], item["form"], item["expected"]
        else:
            yield item["text"], item["form"], f"T24-X{item['expected_2025']['division_code']}"


def evaluate(path: Path = EVAL_SET) -> dict[str, tuple[int, int, list]]:
    """Per form: (right, total, misses) of the routing of each held-out address."""
    results: dict[str, tuple[int, int, list]] = {}
    for address, form, expected in _items(path):
        got = route(address=address)
        right, total, misses = results.get(form, (0, 0, []))
        ok = got.routed_by == "address" and got.unit.code == expected
        if not ok:
            misses.append((address, expected, got.unit.code))
        results[form] = (right + ok, total + 1, misses)
    return results


class Command(BaseCommand):
    help = (
        "Đo tỷ lệ địa chỉ (dạng 2021 có huyện và dạng 2025) đến đúng đơn vị hiện hành trên tập "
        "kiểm tra giữ riêng; cần mạng lưới Bắc Ninh hiện hành (load_demo --reorganized). "
        f"Thoát lỗi nếu dưới {TARGET:.0%}."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--set",
            default=str(EVAL_SET),
            help="tệp tập kiểm tra (mặc định: data/address_eval.jsonl; tập viết độc lập: "
            "bench/addresses/independent_eval.jsonl)",
        )

    def handle(self, *args, set, **options):  # noqa: A002 - the option's name

        if not Unit.objects.filter(code="T24", is_active=True).exists():
            raise CommandError(
                "Chưa có mạng lưới Bắc Ninh hiện hành: chạy `langnghe load_demo --reorganized` "
                'hoặc `langnghe import_units --province "Bắc Ninh"` trước.'
            )
        path = Path(set)
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}.")
        results = evaluate(path)
        failed = False
        for form, (right, total, misses) in sorted(results.items()):
            share = right / total
            failed |= share < TARGET
            self.stdout.write(f"Địa chỉ dạng {form}: {right}/{total} đúng đơn vị ({share:.1%})")
            for address, expected, got in misses[:10]:
                self.stdout.write(f"   sai: {address!r} → {got} (cần {expected})")
        if failed:
            raise CommandError(f"Dưới mục tiêu {TARGET:.0%}.")
