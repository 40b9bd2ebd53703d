from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openisms.accounts"
    label = "accounts"

    def ready(self) -> None:
        from openisms.accounts import sessions

        sessions.connect()
