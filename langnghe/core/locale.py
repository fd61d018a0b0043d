"""Vietnamese unless the person chose otherwise.

Django's LocaleMiddleware would follow the browser's Accept-Language, and many phones in
Vietnam are set to English; the service speaks Vietnamese first (DESIGN.md), so only an explicit
choice (the language button, stored in the language cookie) switches to English.
"""

from django.conf import settings
from django.utils import translation


def language_from_choice(get_response):
    available = {code for code, _name in settings.LANGUAGES}

    def middleware(request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    return middleware
