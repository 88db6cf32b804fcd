from django.urls import path

from centrex import views

app_name = "centrex"

urlpatterns = [
    path("", views.index, name="index"),
]
