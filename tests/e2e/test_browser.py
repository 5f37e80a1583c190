"""The shopper web chat in a real browser (Debian's chromium, driven by Playwright)."""

import shutil
import sqlite3
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "var" / "test-results"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: `scripts/setup.sh --browser` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)])  # phone and desktop
def test_chat_in_the_browser(stack, browser, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(stack.reco_url + "/", wait_until="networkidle")
    page.fill("#text", "我想买一条适合约会的连衣裙，500元以内")
    page.click("#send")
    page.wait_for_selector(".card", timeout=30_000)
    titles = page.locator(".card .t").all_inner_texts()
    prices = page.locator(".card .p").all_inner_texts()
    assert titles and all(t.strip() for t in titles)
    assert all(float(p.lstrip("¥$")) <= 500 for p in prices), prices
    # the card's buttons are whole, and "why" asks the bot in the shopper's language;
    # the answer is the reason printed on the card
    first = page.locator(".card").nth(0)
    why = first.locator("button").nth(1)
    box, card_box = why.bounding_box(), first.bounding_box()
    assert box["height"] >= 20 and box["y"] + box["height"] <= card_box["y"] + card_box["height"] + 1
    assert why.inner_text() == "为什么"
    reason = first.locator(".r").inner_text()
    bot_before = page.locator(".msg.bot").count()
    why.click()
    page.wait_for_function(
        f"document.querySelectorAll('.msg.bot:not(.typing)').length > {bot_before}", timeout=30_000
    )
    assert reason in page.locator(".msg.bot").last.inner_text()
    # no horizontal overflow on a phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"chat-{width}x{height}.png"))
    assert not errors, errors
    page.close()


def test_offer_quick_replies_in_the_browser(stack, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(stack.reco_url + "/", wait_until="networkidle")
    page.fill("#text", "有什么优惠吗")
    page.click("#send")
    page.wait_for_selector(".quick button", timeout=30_000)
    buttons = page.locator(".quick button")
    assert buttons.all_inner_texts() == ["好的", "不用了"]
    offer_text = page.locator(".msg.bot").nth(-2).inner_text()  # the offer, then the question
    bot_before = page.locator(".msg.bot").count()
    buttons.nth(0).click()
    page.wait_for_function(
        f"document.querySelectorAll('.msg.bot:not(.typing)').length > {bot_before}", timeout=30_000
    )
    assert page.locator(".quick").count() == 0  # the quick replies are gone once used
    assert page.locator(".msg.me").last.inner_text() == "好的"
    claimed = page.locator(".msg.bot").last.inner_text()
    assert "已为你领取优惠券" in claimed and offer_text.startswith("给你的优惠")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chat-offer-390x844.png"))
    assert not errors, errors
    page.close()


def test_a_card_button_on_an_older_list_acts_on_that_card(stack, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(stack.reco_url + "/", wait_until="networkidle")

    def wait_for_answer(bot_before: int) -> str:
        page.wait_for_function(
            f"document.querySelectorAll('.msg.bot:not(.typing)').length > {bot_before}", timeout=30_000
        )
        page.wait_for_selector(".msg.typing", state="detached", timeout=30_000)
        return page.locator(".msg.bot").last.inner_text()

    def type_and_send(text: str) -> str:
        bot_before = page.locator(".msg.bot").count()
        page.fill("#text", text)
        page.click("#send")
        return wait_for_answer(bot_before)

    def tap(card, label: str) -> str:
        bot_before = page.locator(".msg.bot").count()
        card.locator("button", has_text=label).click()
        return wait_for_answer(bot_before)

    type_and_send("我想买一条适合约会的连衣裙，500元以内")
    type_and_send("有什么辣的素菜")
    lists = page.locator(".cards")
    assert lists.count() == 2
    older, latest = lists.nth(0), lists.nth(1)
    card, same_number = older.locator(".card").nth(1), latest.locator(".card").nth(1)
    item_id, list_id = card.get_attribute("data-item-id"), older.get_attribute("data-recommendation-id")
    title, reason = card.locator(".t").inner_text(), card.locator(".r").inner_text()
    latest_title = same_number.locator(".t").inner_text()
    assert item_id and list_id and title != latest_title

    # "why" on the older list's second card explains that card, not the latest list's second item
    answer = tap(card, "为什么")
    assert answer == f"推荐「{title}」的原因：{reason}", answer
    assert page.locator(".msg.me").last.inner_text() == f"为什么推荐「{title}」？"
    added = tap(card, "加购")
    assert title in added and latest_title not in added, added
    # typed words still mean the latest list
    typed = type_and_send("为什么推荐第二个")
    assert latest_title in typed, typed

    session = page.evaluate("localStorage.getItem('dxe.session')")
    with sqlite3.connect(stack.database_url.removeprefix("sqlite:///")) as db:
        rows = db.execute(
            "SELECT item_id, type, recommendation_id FROM interactions WHERE shopper_id = ? ORDER BY id",
            (session,),
        ).fetchall()
    latest_id = latest.get_attribute("data-recommendation-id")
    assert rows == [
        (item_id, "click", list_id),
        (item_id, "cart", list_id),
        (same_number.get_attribute("data-item-id"), "click", latest_id),
    ], rows
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chat-older-list-button-1280x800.png"))
    assert not errors, errors
    page.close()
