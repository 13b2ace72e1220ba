"""In Chromium: drag a card across the kanban (and find it there after a reload with the
totals changed), a lost drop asks for the reason, two tabs moving the same card (the
second is refused, told who moved it, and the card shows where it really is), and the
"Move to…" dialog on a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.customers.services import customer_create
from guanxi.deals.models import Opportunity, OpportunityStatus
from guanxi.deals.services import opportunity_create, pipeline_ensure_default
from guanxi.deals.tests.factories import days_from_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _stages() -> list[Any]:
    return list(pipeline_ensure_default().stages.order_by("order", "id"))


def _opportunity(org: Any, title: str, amount: str, customer_name: str) -> Opportunity:
    customer = customer_create(actor=org.east_rep, name=customer_name)
    return opportunity_create(
        actor=org.east_rep,
        customer=customer,
        title=title,
        amount=amount,
        expected_close_on=days_from_today(20),
    )


def _column(page: Any, stage: Any) -> Any:
    return page.locator(f".board-cards[data-stage-id='{stage.pk}']")


def _head(page: Any, stage: Any) -> Any:
    return page.locator(f"#column-head-{stage.pk}")


def _drag(page: Any, card: Any, column: Any) -> None:
    """Press, move in steps (SortableJS needs real pointer moves), release."""
    card.scroll_into_view_if_needed()
    box = card.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 12)
    page.mouse.down()
    column.scroll_into_view_if_needed()
    target = column.bounding_box()
    x, y = target["x"] + target["width"] / 2, target["y"] + 20
    page.mouse.move(x, y, steps=12)
    page.mouse.move(x, y + 4, steps=3)
    page.mouse.up()


def test_drag_a_card_across_the_kanban(open_page: Any, org: Any) -> None:
    stages = _stages()
    card = _opportunity(org, "苏州工厂 MES 项目", "120000", "苏州精工机械")
    _opportunity(org, "无锡仓储项目", "30000", "无锡物流")
    page = open_page(org.east_rep, viewport=DESKTOP)
    page.goto("/deals/")
    expect(_head(page, stages[0]).get_by_test_id("column-count")).to_have_text("2")
    expect(_head(page, stages[2]).get_by_test_id("column-count")).to_have_text("0")
    save_screenshot(page, "board-desktop")
    _drag(page, page.locator(f"#card-{card.pk}"), _column(page, stages[2]))
    expect(page.get_by_test_id("board-message")).to_contain_text("苏州工厂 MES 项目")
    expect(_head(page, stages[2]).get_by_test_id("column-total")).to_have_text("120,000")
    expect(_head(page, stages[2]).get_by_test_id("column-weighted")).to_have_text("60,000")
    page.reload()
    expect(_column(page, stages[2]).locator(f"#card-{card.pk}")).to_be_visible()
    expect(_head(page, stages[0]).get_by_test_id("column-count")).to_have_text("1")
    expect(_head(page, stages[0]).get_by_test_id("column-total")).to_have_text("30,000")
    expect(_head(page, stages[2]).get_by_test_id("column-count")).to_have_text("1")
    card.refresh_from_db()
    assert card.stage == stages[2] and card.version == 2
    save_screenshot(page, "board-after-drag-desktop")


def test_a_lost_drop_asks_for_the_reason(open_page: Any, org: Any) -> None:
    stages = _stages()
    lost = next(stage for stage in stages if stage.kind == "lost")
    card = _opportunity(org, "常州展厅项目", "50000", "常州展览")
    page = open_page(org.east_rep, viewport=DESKTOP)
    page.goto("/deals/")
    _drag(page, page.locator(f"#card-{card.pk}"), _column(page, lost))
    dialog = page.get_by_test_id("move-dialog")
    expect(dialog).to_be_visible()
    save_screenshot(page, "board-lost-reason-desktop")
    page.get_by_test_id("move-confirm").click()  # empty reason: refused on the page
    expect(page.get_by_test_id("lost-reason")).to_have_class(re.compile("is-invalid"))
    page.get_by_test_id("lost-reason").fill("客户预算砍掉")
    page.get_by_test_id("move-confirm").click()
    expect(dialog).to_be_hidden()
    expect(_column(page, lost).locator(f"#card-{card.pk}")).to_be_visible()
    expect(page.get_by_test_id("board-message")).to_contain_text("常州展厅项目")
    card.refresh_from_db()
    assert card.status == OpportunityStatus.LOST and card.lost_reason == "客户预算砍掉"


def test_two_tabs_moving_the_same_card(open_page: Any, org: Any) -> None:
    stages = _stages()
    card = _opportunity(org, "杭州门店改造", "80000", "杭州连锁餐饮")
    mine = open_page(org.east_rep, viewport=DESKTOP)
    mine.goto("/deals/")
    theirs = open_page(org.manager, viewport=DESKTOP)
    theirs.goto("/deals/")
    # The manager moves it first, with the keyboard-friendly dialog.
    theirs.locator(f"#card-{card.pk}").get_by_role("button").click()
    theirs.get_by_test_id("move-stage").select_option(str(stages[1].pk))
    theirs.get_by_test_id("move-confirm").click()
    expect(theirs.get_by_test_id("board-message")).to_contain_text("杭州门店改造")
    save_screenshot(theirs, "board-after-move-dialog-desktop")
    # The rep's tab still shows the old version and drags it elsewhere.
    _drag(mine, mine.locator(f"#card-{card.pk}"), _column(mine, stages[3]))
    message = mine.get_by_test_id("board-message")
    expect(message).to_contain_text("王经理")
    expect(message).to_contain_text(stages[1].name)
    expect(_column(mine, stages[1]).locator(f"#card-{card.pk}")).to_be_visible()
    expect(_column(mine, stages[3]).locator(f"#card-{card.pk}")).to_have_count(0)
    save_screenshot(mine, "board-conflict-desktop")
    card.refresh_from_db()
    assert card.stage == stages[1]
    # With the fresh version the rep's next move goes through.
    _drag(mine, mine.locator(f"#card-{card.pk}"), _column(mine, stages[3]))
    expect(mine.get_by_test_id("board-message")).not_to_contain_text("王经理")
    expect(_column(mine, stages[3]).locator(f"#card-{card.pk}")).to_be_visible()
    card.refresh_from_db()
    assert card.stage == stages[3]


def test_move_to_dialog_on_a_phone(open_page: Any, org: Any) -> None:
    stages = _stages()
    card = _opportunity(org, "南京学校机房", "64000", "南京实验中学")
    page = open_page(org.east_rep, viewport=PHONE)
    page.goto("/deals/")
    save_screenshot(page, "board-phone")
    page.locator(f"#card-{card.pk}").get_by_role("button").click()
    page.get_by_test_id("move-stage").select_option(str(stages[4].pk))  # 赢单
    save_screenshot(page, "board-move-dialog-phone")
    page.get_by_test_id("move-confirm").click()
    expect(page.get_by_test_id("board-message")).to_contain_text("南京学校机房")
    expect(_column(page, stages[4]).locator(f"#card-{card.pk}")).to_be_visible()
    card.refresh_from_db()
    assert card.status == OpportunityStatus.WON
    page.goto(f"/deals/opportunities/{card.pk}/")
    expect(page.get_by_test_id("stage-history")).to_contain_text(stages[4].name)
    save_screenshot(page, "opportunity-detail-phone")
