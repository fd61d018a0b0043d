"""Demo: phường Thọ Xương's OA is connected to the local Zalo simulator, so the whole Zalo path
works offline. Run the simulator with the same credentials:

    langnghe zalo_sim --port 8899 --app-id demo-app --secret-key demo-oa-secret \\
        --access-token demo-at --refresh-token demo-rt \\
        --webhook http://127.0.0.1:8000/webhooks/zalo/BG-X07201/
"""

from django.conf import settings

from langnghe.units.models import Unit

from .models import ZaloConnection
from .services import zalo_connect

DEMO_UNIT = "BG-X07201"
SIMULATOR = "http://127.0.0.1:8899"


def load(stdout) -> None:
    if not settings.LANGNGHE_ZALO_SANDBOX:
        stdout.write("Zalo OA giả lập: bỏ qua (chưa khai báo LANGNGHE_ZALO_SANDBOX=1).")
        return
    unit = Unit.objects.filter(code=DEMO_UNIT).first()
    if unit is None or ZaloConnection.objects.filter(unit=unit).exists():
        return  # keep the tokens a running demo already rotated
    zalo_connect(
        unit=unit,
        app_id="demo-app",
        oa_id="demo-oa",
        secret_key="demo-oa-secret",
        access_token="demo-at",
        refresh_token="demo-rt",
        api_base=SIMULATOR,
    )
    stdout.write(f"Zalo OA giả lập: {unit.name} → {SIMULATOR}")
