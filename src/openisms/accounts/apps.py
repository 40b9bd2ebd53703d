from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openisms.accounts"
    label = "accounts"
