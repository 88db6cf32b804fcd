from django.apps import AppConfig


class CentrexConfig(AppConfig):
    name = "centrex"
    verbose_name = "IP Centrex"
