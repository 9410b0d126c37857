"""The five venues' wire protocols, as the fake servers speak them.

Shapes follow the venues' documentation and live captures (docs/venues.md). Where
a venue documents nothing (error texts, idle close codes,
Gate's protocol-ping timings) the choice is marked "assumed" and kept plausible;
clients must not depend on those details anyway.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from liqterm.demo.servers.protocol import (
    FakeProtocol,
    IdleRule,
    Session,
    dumps,
    loads_object,
    now_ms,
)


def _json(frame: str) -> Any:
    try:
        return json.loads(frame)
    except ValueError:
        return None


class BinanceProtocol(FakeProtocol):
    """USD-M futures market streams: stream chosen by URL path, or SUBSCRIBE."""

    venue = "binance"
    path = "/market/ws/!forceOrder@arr"
    server_ping = (180.0, 600.0)  # ping every 3 min, drop without a pong within 10 min
    lifetime_close = (1000, "24 hour connection limit")  # code assumed
    max_messages_per_s = 10
    ALL = "!forceOrder@arr"
    ALL_MARK_PRICES = "!markPrice@arr@1s"

    def open(self, path: str) -> Session | None:
        url = urlsplit(path)
        route = url.path.rstrip("/")
        for prefix in ("/market/ws", "/ws"):
            if route == prefix or route.startswith(prefix + "/"):
                names = route[len(prefix) :].strip("/")
                return Session(path, topics={name for name in names.split("/") if name})
        for prefix in ("/market/stream", "/stream"):
            if route == prefix:
                names = parse_qs(url.query).get("streams", [""])[0]
                topics = {name for name in names.split("/") if name}
                return Session(path, topics=topics, combined=True)
        return None

    def reply(self, text: str, session: Session) -> tuple[list[str], bool]:
        data = loads_object(text)
        if data is None:
            invalid = {"code": 3, "msg": "Invalid JSON: expected value at line 1 column 1"}
            return [dumps(invalid)], False
        method, request_id = data.get("method"), data.get("id")
        params = data.get("params") or []
        if method == "SUBSCRIBE":
            session.topics.update(str(name) for name in params)
            return [dumps({"result": None, "id": request_id})], False
        if method == "UNSUBSCRIBE":
            session.topics.difference_update(str(name) for name in params)
            return [dumps({"result": None, "id": request_id})], False
        if method == "LIST_SUBSCRIPTIONS":
            return [dumps({"result": sorted(session.topics), "id": request_id})], False
        message = (
            f"Invalid request: unknown variant {method}, expected one of SUBSCRIBE, "
            "UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY"
        )
        return [dumps({"code": 2, "msg": message, "id": request_id})], False

    def _stream_of(self, frame: str) -> tuple[str | None, Any]:
        data = _json(frame)
        if isinstance(data, dict) and "stream" in data and "data" in data:
            return str(data["stream"]), data["data"]
        if isinstance(data, dict) and data.get("e") == "forceOrder":
            symbol = str((data.get("o") or {}).get("s", "")).lower()
            return f"{symbol}@forceOrder", data
        if isinstance(data, dict) and data.get("e") == "markPriceUpdate":
            return f"{str(data.get('s', '')).lower()}@markPrice@1s", data
        if (
            isinstance(data, list)
            and data
            and isinstance(data[0], dict)
            and data[0].get("e") == "markPriceUpdate"
        ):
            return self.ALL_MARK_PRICES, data
        return None, data

    def wants(self, frame: str, session: Session) -> bool:
        stream, _ = self._stream_of(frame)
        if stream is None:
            return False
        if stream in session.topics:
            return True
        return stream.endswith("@forceOrder") and self.ALL in session.topics

    def shape(self, frame: str, session: Session) -> str:
        wrapped = frame.startswith('{"stream"')
        if session.combined and not wrapped:
            stream, _ = self._stream_of(frame)
            name = self.ALL if self.ALL in session.topics and str(stream).endswith("@forceOrder") else stream
            return '{"stream":' + dumps(name) + ',"data":' + frame + "}"
        if not session.combined and wrapped:
            _, payload = self._stream_of(frame)
            return dumps(payload)
        return frame


class BybitProtocol(FakeProtocol):
    """v5 public linear: ``op`` requests, one ``allLiquidation.<symbol>`` topic per symbol."""

    venue = "bybit"
    path = "/v5/public/linear"
    # "if there is no ping-pong and no stream data sent from server end, the
    # connection will be cut off after 10 minutes"; close code assumed.
    idle = IdleRule(
        600.0,
        client_ping=True,
        server_data=True,
        close_code=1000,
        close_reason="no ping-pong and no stream data for 10 minutes",
    )
    MAX_ARGS_CHARS = 21_000

    def open(self, path: str) -> Session | None:
        return Session(path) if urlsplit(path).path.startswith("/v5/public/") else None

    def _answer(self, session: Session, op: str, req_id: object, ok: bool, msg: str) -> str:
        return dumps(
            {
                "success": ok,
                "ret_msg": msg,
                "conn_id": session.conn_id,
                "req_id": req_id if isinstance(req_id, str) else "",
                "op": op,
            }
        )

    def reply(self, text: str, session: Session) -> tuple[list[str], bool]:
        data = loads_object(text)
        if data is None:
            return [self._answer(session, "", "", False, "error:request not json")], False
        op, req_id = str(data.get("op", "")), data.get("req_id", "")
        if op == "ping":
            return [self._answer(session, "ping", req_id, True, "pong")], True
        if op in ("subscribe", "unsubscribe"):
            args = [str(arg) for arg in data.get("args") or []]
            if len(dumps(args)) > self.MAX_ARGS_CHARS:
                return [self._answer(session, op, req_id, False, "args size >21000")], False
            if op == "subscribe":
                session.topics.update(args)
            else:
                session.topics.difference_update(args)
            return [self._answer(session, op, req_id, True, "")], False
        return [self._answer(session, op, req_id, False, f"error:unknown op {op}")], False

    def wants(self, frame: str, session: Session) -> bool:
        data = _json(frame)
        return isinstance(data, dict) and data.get("topic") in session.topics


class OkxProtocol(FakeProtocol):
    """v5 public: ``{"op":"subscribe","args":[{channel, instType}]}``, string ``ping``."""

    venue = "okx"
    path = "/ws/v5/public"
    # "The connection will break automatically if the subscription is not established
    # or data has not been pushed for more than 30 seconds"; 4004 seen by a probe.
    idle = IdleRule(
        30.0,
        client_ping=False,
        server_any=True,
        close_code=4004,
        close_reason="No data received in 30s.",
    )
    CHANNEL = "liquidation-orders"
    INST_TYPES = ("SWAP", "FUTURES", "MARGIN", "OPTION")

    def open(self, path: str) -> Session | None:
        return Session(path) if urlsplit(path).path.startswith("/ws/v5/") else None

    def reply(self, text: str, session: Session) -> tuple[list[str], bool]:
        if text == "ping":
            return ["pong"], True
        data = loads_object(text)
        if data is None:
            return [
                dumps(
                    {
                        "event": "error",
                        "msg": f"Illegal request: {text}",
                        "code": "60012",
                        "connId": session.conn_id,
                    }
                )
            ], False
        op = data.get("op")
        if op not in ("subscribe", "unsubscribe"):
            return [
                dumps(
                    {
                        "event": "error",
                        "msg": f"Illegal request: {text}",
                        "code": "60012",
                        "connId": session.conn_id,
                    }
                )
            ], False
        head = {"id": data["id"]} if "id" in data else {}
        replies = []
        for arg in data.get("args") or []:
            arg = arg if isinstance(arg, dict) else {}
            channel, inst_type = arg.get("channel"), arg.get("instType")
            if channel != self.CHANNEL or inst_type not in self.INST_TYPES:
                msg = f"Wrong URL or channel:{channel},instId or instType doesn't exist."
                replies.append(
                    dumps(
                        {
                            **head,
                            "event": "error",
                            "msg": msg,
                            "code": "60018",
                            "connId": session.conn_id,
                        }
                    )
                )
                continue
            topic = f"{channel}:{inst_type}"
            if op == "subscribe":
                session.topics.add(topic)
            else:
                session.topics.discard(topic)
            replies.append(dumps({**head, "event": op, "arg": arg, "connId": session.conn_id}))
        return replies, False

    def wants(self, frame: str, session: Session) -> bool:
        data = _json(frame)
        arg = data.get("arg") if isinstance(data, dict) else None
        if not isinstance(arg, dict) or "data" not in data:
            return False
        return f"{arg.get('channel')}:{arg.get('instType')}" in session.topics


class GateProtocol(FakeProtocol):
    """Futures v4 (USDT settle): ``channel``/``event``/``payload`` requests."""

    venue = "gateio"
    path = "/v4/ws/usdt"
    # Gate pings at the protocol layer and drops clients that do not answer;
    # the interval and timeout are not documented (assumed).
    server_ping = (10.0, 30.0)
    CHANNEL = "futures.public_liquidates"

    def open(self, path: str) -> Session | None:
        return Session(path) if urlsplit(path).path.startswith("/v4/ws/") else None

    def _envelope(self, channel: str, event: str, **rest: object) -> str:
        now = now_ms()
        return dumps({"time": now // 1000, "time_ms": now, "channel": channel, "event": event, **rest})

    def reply(self, text: str, session: Session) -> tuple[list[str], bool]:
        data = loads_object(text)
        if data is None:
            return [
                self._envelope("", "", error={"code": 2, "message": "invalid argument"}, result=None)
            ], False
        channel, event = str(data.get("channel", "")), str(data.get("event", ""))
        if channel == "futures.ping":
            return [self._envelope("futures.pong", "", result=None)], True
        if channel != self.CHANNEL or event not in ("subscribe", "unsubscribe"):
            return [
                self._envelope(
                    channel,
                    event,
                    error={"code": 2, "message": "unknown channel"},
                    result={"status": "failed"},
                )
            ], False
        payload = [str(item) for item in data.get("payload") or []]
        if event == "subscribe":
            session.topics.update(payload)
        else:
            session.topics.difference_update(payload)
        extra = {"id": data["id"]} if "id" in data else {}
        return [self._envelope(channel, event, result={"status": "success"}, **extra)], False

    def wants(self, frame: str, session: Session) -> bool:
        data = _json(frame)
        if not isinstance(data, dict) or data.get("channel") != self.CHANNEL:
            return False
        if "!all" in session.topics:
            return True
        rows = data.get("result")
        rows = rows if isinstance(rows, list) else [rows]
        return any(isinstance(row, dict) and row.get("contract") in session.topics for row in rows)


class BitgetProtocol(FakeProtocol):
    """v3 (UTA) public: ``{"op":"subscribe","args":[{instType, topic}]}``, string ``ping``."""

    venue = "bitget"
    path = "/v3/ws/public"
    # "send the string ping every 30 s ... server disconnects if no ping for 2 min"; code assumed.
    idle = IdleRule(120.0, client_ping=True, close_code=1000, close_reason="no ping for 2 minutes")
    lifetime_close = (1000, "24 hour connection limit")  # code assumed
    max_messages_per_s = 10
    TOPIC = "liquidation"
    INST_TYPES = ("usdt-futures", "coin-futures", "usdc-futures")

    def open(self, path: str) -> Session | None:
        return Session(path) if urlsplit(path).path.startswith("/v3/ws/") else None

    def reply(self, text: str, session: Session) -> tuple[list[str], bool]:
        if text == "ping":
            return ["pong"], True
        data = loads_object(text)
        op = data.get("op") if data else None
        if data is None or op not in ("subscribe", "unsubscribe"):
            illegal = {"event": "error", "code": 30001, "msg": f"Illegal request: {text}"}
            return [dumps(illegal)], False
        replies = []
        for arg in data.get("args") or []:
            arg = arg if isinstance(arg, dict) else {}
            if arg.get("topic") != self.TOPIC or arg.get("instType") not in self.INST_TYPES:
                replies.append(
                    dumps(
                        {
                            "event": "error",
                            "arg": arg,
                            "code": 30001,
                            "msg": f"instType:{arg.get('instType')} doesn't exist",
                        }
                    )
                )
                continue
            topic = f"{arg['instType']}:{arg['topic']}"
            if op == "subscribe":
                session.topics.add(topic)
            else:
                session.topics.discard(topic)
            replies.append(dumps({"event": op, "arg": arg, "connId": session.conn_id}))
        return replies, False

    def wants(self, frame: str, session: Session) -> bool:
        data = _json(frame)
        arg = data.get("arg") if isinstance(data, dict) else None
        if not isinstance(arg, dict) or "data" not in data:
            return False
        return f"{arg.get('instType')}:{arg.get('topic')}" in session.topics


PROTOCOLS: dict[str, type[FakeProtocol]] = {
    protocol.venue: protocol
    for protocol in (BinanceProtocol, BybitProtocol, OkxProtocol, GateProtocol, BitgetProtocol)
}
"""Fake protocol class per venue id."""
