"""Benchmark fixtures (run with DJANGO_SETTINGS_MODULE=bench.settings): a Zalo connection with a
known secret, a published post, signed webhook events, the Lua unit list. Prints JSON.

    bench/prepare.py OUT_DIR N_EVENTS [--keep-queue]

``--keep-queue`` leaves the stored events and the task queue alone (workers are running: a
task row deleted under a worker stops that worker); only fresh events are written."""

import json
import os
import sys
import time
import uuid

import django

django.setup()

from django.db import transaction  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from langnghe.connectors import zalo  # noqa: E402
from langnghe.connectors.models import WebhookEvent, ZaloConnection  # noqa: E402
from langnghe.connectors.services import zalo_connect  # noqa: E402
from langnghe.content.models import Post  # noqa: E402
from langnghe.surveys.models import QuestionType  # noqa: E402
from langnghe.surveys.selectors import template_effective  # noqa: E402
from langnghe.units.models import Unit  # noqa: E402

out_dir = sys.argv[1]
n_events = int(sys.argv[2])
keep_queue = "--keep-queue" in sys.argv[3:]
# The survey row's responses go to every commune of the network, as in a QR campaign run in
# every commune at once (the case): each commune's share of the burst is what its
# per-unit check reads.
communes = list(
    Unit.objects.filter(kind__code="commune", is_active=True)
    .order_by("id")
    .values_list("code", "slug")
)
with open(os.path.join(out_dir, "units.lua"), "w") as f:
    f.write("return {" + ",".join(f'"{c}"' for c, _ in communes) + "}\n")
unit = Unit.objects.get(code=communes[0][0])
template = template_effective(unit)
answers = {}
for q in template.questions.all():
    if q.type in (QuestionType.SCALE, QuestionType.SINGLE):
        answers[q.key] = q.choice_values()[-1]
    elif q.required:
        answers[q.key] = "Tốt"
zunit = Unit.objects.get(code=communes[1][0])
secret, app_id = "bench-secret-key", "bench-app"
if not ZaloConnection.objects.filter(unit=zunit).exists():
    zalo_connect(
        unit=zunit,
        app_id=app_id,
        oa_id="bench-oa",
        secret_key=secret,
        access_token="t",
        refresh_token="r",
        api_base="http://127.0.0.1:9",
    )
# Events and tasks of an earlier run still waiting (its workers were stopped) would be counted
# as this run's backlog: they are set aside (bench data only).
if not keep_queue:
    WebhookEvent.objects.filter(unit=zunit, status="received").update(
        status="ignored", error="bench: from an earlier run"
    )
    DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).delete()
run = uuid.uuid4().hex[:8]
now_ms = int(time.time() * 1000)
# What citizens write in a flood: questions about procedures, reports, scam warnings, each with
# its own details (a house number, a hamlet, an amount), so nearly every text is new and no
# per-process memo (triage, the procedure answer) answers from memory more than it would.
TEXTS = [
    "Cho hỏi thủ tục đăng ký tạm trú cho {n} người thuê trọ ở tổ {m}",
    "Em muốn làm lại căn cước bị mất ví hôm qua ở chợ, số nhà {n} ngõ {m}",
    "Có người gọi điện tự xưng công an yêu cầu chuyển {n} triệu, tôi phải làm sao",
    "Tối qua nhà số {n} xóm {m} bị trộm mất xe máy, báo công an giúp em",
    "Cho hỏi đăng ký thường trú cho con mới sinh cần giấy tờ gì ạ, cháu {n} ngày tuổi",
    "Ở đầu ngõ {n} có nhóm thanh niên tụ tập đua xe ồn ào đến {m} giờ sáng",
    "Tôi nhận được tin nhắn trúng thưởng {n} triệu kèm đường link lạ, có phải lừa đảo không",
    "Xin hỏi thủ tục xác nhận nơi cư trú mất mấy ngày, tôi ở thôn {m}",
    "Nhà hàng xóm số {n} cãi nhau to, có tiếng đập phá, mong công an xã đến xem",
    "Cho em hỏi đổi giấy phép lái xe ở đâu, em ở tổ {m} phường này",
    "Ai nhặt được ví màu nâu có {n} nghìn và giấy tờ tên Nguyễn Văn {m} xin liên hệ",
    "Cảm ơn các anh công an đã hỗ trợ gia đình tôi hôm {n} vừa rồi",
]
with open(os.path.join(out_dir, "events.txt"), "w") as f:
    for i in range(n_events):
        text = TEXTS[i % len(TEXTS)].format(n=(i * 7919) % 997 + 1, m=i // len(TEXTS) % 89 + 1)
        body = json.dumps(
            {
                "app_id": app_id,
                "event_name": "user_send_text",
                "timestamp": str(now_ms),
                "sender": {"id": f"u{run}{i % 5000}"},
                "recipient": {"id": "bench-oa"},
                "message": {"msg_id": f"m{run}{i}", "text": text},
            },
            separators=(",", ":"),
        )
        f.write(zalo.mac(app_id, body.encode(), str(now_ms), secret) + "\t" + body + "\n")
post = Post.objects.filter(state="published").order_by("-id").first()
if post is None:
    with transaction.atomic():
        post = Post.objects.create(
            unit=unit,
            kind="article",
            state="published",
            title="Cảnh báo lừa đảo qua điện thoại",
            slug="canh-bao-lua-dao",
            summary="Không chuyển tiền theo yêu cầu qua điện thoại.",
            body="<p>Công an không yêu cầu chuyển tiền qua điện thoại.</p>" * 20,
            audience="none",
            published_at=django.utils.timezone.now(),
        )
fixtures = json.dumps(
    {
        "unit_page": f"/don-vi/{unit.slug}/",
        "post_page": f"/bai-viet/{post.pk}-{post.slug}/",
        "webhook_path": f"/webhooks/zalo/{zunit.code}/",
        "webhook_unit_id": zunit.pk,
        "answers": answers,
        "units": Unit.objects.count(),
    }
)
with open(os.path.join(out_dir, "fixtures.json"), "w") as f:  # for bench/cpu.py
    f.write(fixtures)
print(fixtures)
