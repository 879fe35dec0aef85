"""Staff alerts by email: a new alert reaches the shop's alert address once, through an
outbox job and a real SMTP conversation with a server in the test process."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from core.alerts import email_alert, raise_alert
from core.db import utcnow
from core.models import Alert, Outbox, Platform, Shop
from core.services import services_of
from tests.support.smtp import Mailbox, smtp_server


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def mail_app(make_config, mailbox):
    from app import create_app
    from tests.support.database import empty_all_tables

    application = create_app(make_config(smtp_url=mailbox.url, mail_from="Cartpath <c@test>"))
    yield application
    svc = services_of(application)
    svc.jobs.close()
    empty_all_tables(svc.database.engine)
    svc.database.dispose()


def _shop(app, alert_email: str | None) -> int:
    with services_of(app).database.session() as session:
        shop = Shop(
            platform=Platform.BIGCOMMERCE,
            domain="store1",
            name="Tote Co",
            installed_at=utcnow(),
            alert_email=alert_email,
        )
        session.add(shop)
        session.commit()
        return shop.id


def _raise(app, shop_id: int, message: str) -> int:
    with app.app_context(), services_of(app).database.session() as session:
        alert = raise_alert(
            session, shop_id=shop_id, kind="writeback_failed", subject="order:CP1", message=message
        )
        session.commit()
        return alert.id


def test_a_new_alert_is_emailed_once_to_the_shop_s_address(mail_app, mailbox):
    shop_id = _shop(mail_app, "ops@tote.example")

    alert_id = _raise(mail_app, shop_id, "Order CP1 could not be written back.")
    assert services_of(mail_app).jobs.wait_idle(timeout=20)
    _raise(mail_app, shop_id, "Order CP1 still could not be written back.")  # the same alert
    assert services_of(mail_app).jobs.wait_idle(timeout=20)

    assert len(mailbox.messages) == 1
    sent = mailbox.messages[0]
    assert sent["To"] == "ops@tote.example"
    assert sent["From"] == "Cartpath <c@test>"
    assert sent["Subject"] == "Cartpath alert for Tote Co: writeback failed"
    assert "Order CP1 could not be written back." in sent.get_payload()
    with services_of(mail_app).database.session() as session:
        assert session.get(Alert, alert_id).emailed_at is not None
    with mail_app.app_context():
        email_alert(alert_id)  # a retried job finds it sent
    assert len(mailbox.messages) == 1


def test_without_an_address_nothing_is_queued_or_sent(mail_app, mailbox):
    shop_id = _shop(mail_app, None)

    _raise(mail_app, shop_id, "Checkout locked after declines.")
    assert services_of(mail_app).jobs.wait_idle(timeout=20)

    assert mailbox.messages == []
    with services_of(mail_app).database.session() as session:
        assert session.scalar(select(func.count(Outbox.id))) == 0


def test_a_server_that_refuses_leaves_the_alert_unsent_for_the_retry(mail_app, mailbox):
    shop_id = _shop(mail_app, "ops@tote.example")
    mailbox.refuse = True
    with services_of(mail_app).database.session() as session:
        alert = Alert(shop_id=shop_id, kind="card_testing", subject="shop", message="Locked")
        session.add(alert)
        session.commit()
        alert_id = alert.id

    with mail_app.app_context(), pytest.raises(smtplib.SMTPDataError):
        email_alert(alert_id)

    with services_of(mail_app).database.session() as session:
        assert session.get(Alert, alert_id).emailed_at is None
    mailbox.refuse = False
    with mail_app.app_context():
        email_alert(alert_id)
    assert [m["Subject"] for m in mailbox.messages] == ["Cartpath alert for Tote Co: card testing"]
