"""The Zalo OA connection form of the console: parsed here, checked by ``oauth.oauth_start``."""

from django import forms


class ZaloConnectForm(forms.Form):
    app_id = forms.CharField(required=False, strip=False)
    app_secret = forms.CharField(required=False, strip=False)
    webhook_secret = forms.CharField(required=False, strip=False)
    oauth_base = forms.CharField(required=False, strip=False)
