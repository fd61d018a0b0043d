from django.contrib import admin
from django.urls import include, path

from langnghe.api import api
from langnghe.discovery import url_modules

handler404 = "langnghe.core.views.page_not_found"
handler500 = "langnghe.core.views.server_error"

urlpatterns = [
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]
# Each domain app's pages; public pages are at the root, staff pages under /staff/.
for _app, _module in url_modules():
    urlpatterns.append(path("", include(_module)))
