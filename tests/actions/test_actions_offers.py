"""action_offers."""
import pytest
from action_testkit import SENDER, make_tracker, run_action

from actions.offers import ActionOffers

pytestmark = pytest.mark.asyncio


async def test_offers_are_listed(recommender):
    dispatcher, events = await run_action(ActionOffers(), make_tracker("有什么优惠", "ask_offers"))
    assert recommender.calls("GET", "/api/v1/offers")[0]["query"] == {"shopper_id": SENDER, "language": "zh"}
    assert dispatcher.messages[0]["text"] == "给你的优惠：\n· 满200减20"
    assert dispatcher.messages[0]["custom"] == {
        "type": "offers", "segment": "new", "offers": [{"id": "o1", "title": "满200减20"}],
    }
    assert events == []


async def test_offers_when_down(backend_down):
    dispatcher, _ = await run_action(ActionOffers(), make_tracker("any deals?", "ask_offers", language="en"))
    assert [m["text"] for m in dispatcher.messages] == ["Sorry, I can't fetch offers right now. Please try again later."]


async def test_missing_token_is_refused_and_answered(recommender, monkeypatch, caplog):
    monkeypatch.delenv("DXE_SERVICE_TOKEN")
    dispatcher, _ = await run_action(ActionOffers(), make_tracker("any deals?", "ask_offers", language="en"))
    assert [m["text"] for m in dispatcher.messages] == ["Sorry, I can't fetch offers right now. Please try again later."]
    assert "refused: HTTP 401" in caplog.text
