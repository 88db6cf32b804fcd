"""The task queue in the admin (django-tasks-db's own screens): queued, retried and given-up
e-mails, for superusers only: a queued e-mail holds its whole text, password-reset links too.
"""

from __future__ import annotations

import pytest
from django.core.mail import EmailMultiAlternatives

from accounts import mail

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/django_tasks_database/dbtaskresult/"


@pytest.fixture
def queued(task_queue):
    mail.queue(EmailMultiAlternatives("Zaproszenie", "Treść", "konto@example.com", ["jan@x.pl"]))


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    assert client.get(CHANGELIST)["Location"].startswith("/admin/login/")


def test_a_superuser_sees_the_queued_e_mail_and_its_content(admin_client, queued):
    response = admin_client.get(CHANGELIST, {"status__exact": "READY"})
    assert response.status_code == 200
    assert "deliver" in response.content.decode()
    task_id = response.context["cl"].result_list[0].pk
    detail = admin_client.get(f"{CHANGELIST}{task_id}/change/").content.decode()
    assert "jan@x.pl" in detail and "Zaproszenie" in detail


def test_help_desk_staff_cannot_read_queued_e_mails(staff_client, queued):
    assert staff_client.get(CHANGELIST).status_code == 403
