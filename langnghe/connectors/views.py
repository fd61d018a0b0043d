"""The Zalo webhook: check, store, answer 200 at once (Zalo wants < 2 s); work happens later."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from langnghe.core.exceptions import ApplicationError

from . import services


@csrf_exempt
@require_POST
def zalo_webhook(request, unit_code: str):
    try:
        services.webhook_receive(
            unit_code=unit_code,
            body=request.body,
            signature=request.headers.get("X-ZEvent-Signature", ""),
        )
    except ApplicationError as exc:
        return JsonResponse({"error": exc.code, "message": exc.message}, status=exc.status)
    return JsonResponse({"error": 0, "message": "Success"})
