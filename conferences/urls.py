from django.urls import path

from conferences import views

app_name = "conferences"

urlpatterns = [
    path("", views.conference_list, name="list"),
    path("new/", views.conference_new, name="new"),
    path("<int:pk>/", views.conference_detail, name="detail"),
    path("<int:pk>/edit/", views.conference_edit, name="edit"),
    path("<int:pk>/delete/", views.conference_delete, name="delete"),
    path("<int:pk>/codes/", views.regenerate_codes, name="regenerate_codes"),
    path("<int:pk>/invite.ics", views.conference_ics, name="ics"),
]
