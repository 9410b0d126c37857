"""Alerts through Apprise to real local endpoints: a JSON webhook and Discord's API (via a proxy)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from notify_helpers import DISCORD_ID, DISCORD_TOKEN, alert, discord_url, json_url, spec

from fakes.webhook_server import WebhookServer
from liqterm.engine.alerts import Priority
from liqterm.notify import Notifier
from liqterm.outbox.sender import SenderState

Make = Callable[..., Notifier]


async def until(check: Callable[[], bool], within: float = 8.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def test_a_json_webhook_and_discord_get_each_alert_once_with_their_payloads(
    server: WebhookServer, make_notifier: Make
) -> None:
    notifier = make_notifier(spec(json_url(server), name="hook"), spec(discord_url(), name="discord"))
    whale = alert("whale", Priority.HIGH, text="BTC long $1.2M on binance")
    async with notifier:
        notifier.on_alerts([whale], None)
        await asyncio.to_thread(server.wait_delivered, 1, "/hook")
        await asyncio.to_thread(server.wait_delivered, 1, "/api/webhooks/")
        await asyncio.sleep(0.1)
    hook = server.delivered("/hook")
    assert len(hook) == 1
    body = hook[0].body
    assert body["title"] == "BTC · whale · high" and body["type"] == "warning"
    assert "BTC long $1.2M on binance" in body["message"] and "$1.20M · long · binance" in body["message"]
    discord = server.delivered("/api/webhooks/")
    assert len(discord) == 1
    request = discord[0]
    assert request.host == "discord.com"  # the real plugin, to Discord's own host and path
    assert request.path.startswith(f"/api/webhooks/{DISCORD_ID}/{DISCORD_TOKEN}")
    assert isinstance(request.body, dict) and "BTC long $1.2M on binance" in str(request.body)
    assert set(request.body) >= {"content"} or set(request.body) >= {"embeds"}
    status = notifier.status
    assert status.alerts_sent == 2 and status.retries == 0 and status.label == "notify ok ×2"


async def test_filters_by_priority_kind_and_asset(server: WebhookServer, make_notifier: Make) -> None:
    notifier = make_notifier(
        spec(json_url(server, "critical"), name="critical", min_priority="critical"),
        spec(json_url(server, "eth"), name="eth", assets=("ETH",), kinds=("whale",)),
    )
    async with notifier:
        notifier.on_alerts(
            [
                alert("whale", Priority.HIGH, asset="BTC"),  # neither
                alert("whale", Priority.HIGH, asset="ETH", text="eth whale"),  # eth only
                alert("cascade", Priority.CRITICAL, asset="ETH", text="eth cascade"),  # critical only
            ],
            None,
        )
        await asyncio.to_thread(server.wait_delivered, 2)
        await asyncio.sleep(0.2)
    assert [r.body["message"].splitlines()[0] for r in server.delivered("/critical")] == ["eth cascade"]
    assert [r.body["message"].splitlines()[0] for r in server.delivered("/eth")] == ["eth whale"]


async def test_500s_a_timeout_and_a_429_are_retried_and_counted_and_nothing_is_sent_twice(
    server: WebhookServer, make_notifier: Make
) -> None:
    server.fail("/hook", 500, times=2)
    server.fail("/hook", 200, times=1, hang_s=0.8)  # past the client's 0.4 s: a timeout
    server.fail("/hook", 429, times=1)
    notifier = make_notifier(spec(json_url(server), name="hook"))
    alerts = [alert(text=f"retry {i}") for i in range(3)]
    async with notifier:
        notifier.on_alerts(alerts, None)
        await asyncio.to_thread(server.wait_delivered, 3, "/hook", 15.0)
        await asyncio.sleep(0.2)
        status = notifier.status
    texts = [r.body["message"].splitlines()[0] for r in server.delivered("/hook")]
    assert texts == ["retry 0", "retry 1", "retry 2"]  # each once, in order
    assert len(server.requests) == 7  # 3 delivered + 2 × 500 + a timeout + a 429
    assert status.retries == 4 and status.alerts_sent == 3 and status.failed == 0
    assert status.destinations[0].state == SenderState.OK


async def test_a_refused_destination_stops_and_the_others_go_on(
    server: WebhookServer, make_notifier: Make
) -> None:
    server.fail("/gone", 404, times=100)
    notifier = make_notifier(
        spec(json_url(server, "gone"), name="gone"), spec(json_url(server, "ok"), name="ok")
    )
    async with notifier:
        notifier.on_alerts([alert(text="a"), alert(text="b")], None)
        await asyncio.to_thread(server.wait_delivered, 2, "/ok")
        await until(lambda: notifier.status.failing != ())
        notifier.on_alerts([alert(text="c")], None)
        await asyncio.to_thread(server.wait_delivered, 3, "/ok")
        status = notifier.status
    gone = next(d for d in status.destinations if d.name == "gone")
    assert gone.state == SenderState.STOPPED and "404" in gone.reason
    assert len([r for r in server.requests if r.path.startswith("/gone")]) == 1  # not hammered
    assert status.failed == 2 and status.skipped == 1  # a and b failed; c was never queued there
    assert status.down and status.label == "notify: gone stopped"


async def test_a_destination_that_keeps_failing_is_stopped_after_its_limit(
    server: WebhookServer, make_notifier: Make
) -> None:
    server.fail("/flaky", 503, times=100)
    notifier = make_notifier(spec(json_url(server, "flaky"), name="flaky", max_failures=3))
    async with notifier:
        notifier.on_alerts([alert()], None)
        await until(lambda: notifier.status.destinations[0].state == SenderState.STOPPED)
        status = notifier.status
    assert len(server.requests) == 3 and status.retries == 2 and status.failed == 1
    assert "gave up after 3 failed attempts in a row" in status.destinations[0].reason


async def test_a_burst_for_one_asset_becomes_one_digest(server: WebhookServer, make_notifier: Make) -> None:
    notifier = make_notifier(spec(json_url(server), name="hook", digest_after=3))
    burst = [alert("whale", Priority.HIGH, asset="SOL", usd=250_000.0) for _ in range(12)]
    notifier.on_alerts(burst, None)  # before start: all waiting at once
    async with notifier:
        await asyncio.to_thread(server.wait_delivered, 1)
        await asyncio.sleep(0.2)
        status = notifier.status
    [digest] = server.delivered()
    assert digest.body["title"] == "📦 SOL: 12 alerts"
    assert (
        "12 long liquidations, $3.00M" in digest.body["message"]
        and "12 alerts merged" in digest.body["message"]
    )
    assert status.digests == 1 and status.alerts_sent == 12
