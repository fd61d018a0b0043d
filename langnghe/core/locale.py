"""The language of every page: Vietnamese, whatever the browser asks.

Django's LocaleMiddleware would follow the browser's Accept-Language, and many phones in
Vietnam are set to English; the service speaks Vietnamese (DESIGN.md), so only a language of
settings.LANGUAGES chosen in the language cookie could switch it. Today LANGUAGES has Vietnamese
alone (the English catalogue is incomplete), so a page is never half English.
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
