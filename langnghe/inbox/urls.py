from django.urls import path

from . import views, webchat

app_name = "inbox"
urlpatterns = [
    path("staff/inbox/", views.inbox_page, name="console"),
    path("staff/inbox/<int:conversation_id>/", views.reply, name="reply"),
    path("staff/inbox/mau-tra-loi/", views.canned_page, name="canned"),
    path("staff/inbox/lich-truc/", views.roster_page, name="roster"),
    path("tro-chuyen/", webchat.chat_find, name="webchat_find"),
    path("tro-chuyen/<str:unit_code>/", webchat.chat_page, name="webchat"),
]
