from django.contrib import admin
from django.urls import include, path

from langnghe.api import api
from langnghe.discovery import url_modules

handler404 = "langnghe.core.views.page_not_found"
handler500 = "langnghe.core.views.server_error"

# Django tries patterns in order: the Zalo webhook (a burst of machine calls during an incident)
# goes first, so an event is not matched against every app's pages before its own.
_FIRST = ("langnghe.connectors",)

urlpatterns = [
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
# Each domain app's pages; public pages are at the root, staff pages under /staff/.
_found = list(url_modules())
urlpatterns[:0] = [path("", include(module)) for app, module in _found if app in _FIRST]
urlpatterns += [path("", include(module)) for app, module in _found if app not in _FIRST]
