"""The built-in payment gateway's web app: the hosted pay page, notifications to the merchant (with
retries and back-off until the merchant answers ``success``) and the signed trade query API."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import html
import logging
import secrets
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from videophone.adapters.clock import Clock, SystemClock
from videophone.adapters.payment_gateway import signed, timestamp_fresh, verify
from videophone.gateway.store import Trade, TradeStore

log = logging.getLogger("videophone.gateway")

BACKOFF = (2, 5, 15, 60, 300, 900, 3600, 3600, 3600)  # seconds before notification attempt 2, 3, …
MAX_ATTEMPTS = len(BACKOFF) + 1
MAX_AMOUNT_FEN = 10_000_000_00

TEXT = {
    "zh-CN": {
        "title": "收银台",
        "merchant": "收款方",
        "subject": "商品",
        "amount": "金额",
        "order": "订单号",
        "pay": "确认支付",
        "cancel": "取消",
        "paid": "支付成功",
        "closed": "交易已关闭",
        "back": "返回商户",
        "bad_link": "支付链接无效或已过期。",
        "footer": "内置演示支付网关 · 不会产生真实扣款",
    },
    "en": {
        "title": "Checkout",
        "merchant": "Pay to",
        "subject": "For",
        "amount": "Amount",
        "order": "Order",
        "pay": "Pay",
        "cancel": "Cancel",
        "paid": "Payment successful",
        "closed": "Payment closed",
        "back": "Back to the merchant",
        "bad_link": "This payment link is invalid or has expired.",
        "footer": "Built-in demo payment gateway · no real money moves",
    },
}

STYLE = """
body{margin:0;font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#eef3f8;color:#1d2733}
main{max-width:420px;margin:0 auto;padding:24px 16px}
.card{background:#fff;border-radius:12px;padding:20px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.2rem;margin:0 0 16px;color:#1677ff}
dl{margin:0 0 16px}dl div{display:flex;justify-content:space-between;gap:12px;padding:6px 0;border-bottom:1px solid #eef0f3}
dt{color:#6b7785}dd{margin:0;text-align:right;overflow-wrap:anywhere}
.amount{font-size:2rem;font-weight:700;text-align:center;margin:8px 0 16px}
.actions{display:flex;flex-direction:column;gap:10px}
button,a.button{font:inherit;font-size:1rem;padding:12px;border-radius:8px;border:1px solid #1677ff;text-align:center;text-decoration:none;cursor:pointer}
button.primary{background:#1677ff;color:#fff}button.secondary,a.button{background:#fff;color:#1677ff}
footer{color:#6b7785;font-size:.8rem;text-align:center;margin-top:16px}
"""


def language(chosen: str | None, accept_language: str | None) -> str:
    """The page's language: the ``lang`` the merchant passed (when it is one we know), else the browser's."""
    if chosen in TEXT:
        return chosen
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return "zh-CN"


def _page(lang: str, body: str, status: int = 200) -> HTMLResponse:
    t = TEXT[lang]
    return HTMLResponse(
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(t['title'])}</title><style>{STYLE}</style></head>"
        f'<body><main><div class="card">{body}</div><footer>{html.escape(t["footer"])}</footer></main></body></html>',
        status_code=status,
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
    )


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


@dataclass
class GatewayConfig:
    merchants: Mapping[str, str]  # merchant id → shared secret
    db_path: Path
    clock: Clock = field(default_factory=SystemClock)
    notify_transport: httpx.AsyncBaseTransport | None = None  # tests: the service app in-process
    poll_seconds: float = 0.5
    notify_timeout: float = 10.0


class Gateway:
    """The gateway's behaviour; :meth:`app` serves it over HTTP."""

    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self.store = TradeStore(config.db_path)
        self._wake = asyncio.Event()

    def _secret(self, merchant_id: str) -> str | None:
        return self.config.merchants.get(merchant_id)

    def _form_token(self, merchant_id: str, out_trade_no: str) -> str:
        secret = self._secret(merchant_id) or ""
        return hmac.new(secret.encode(), f"confirm|{merchant_id}|{out_trade_no}".encode(), hashlib.sha256).hexdigest()

    # -- notifications ------------------------------------------------------------------------------------
    def notification(self, trade: Trade) -> dict[str, str]:
        secret = self._secret(trade.merchant_id) or ""
        return signed(
            {
                "merchant_id": trade.merchant_id,
                "out_trade_no": trade.out_trade_no,
                "trade_no": trade.trade_no or "",
                "amount_fen": trade.amount_fen,
                "status": trade.status,
                "paid_at": trade.paid_at.isoformat() if trade.paid_at else "",
                "notify_id": trade.notify_id or "",
            },
            secret,
        )

    async def deliver_due(self) -> int:
        """Send every notification that is due; returns how many were acknowledged."""
        now = self.config.clock.now()
        acknowledged = 0
        for trade in self.store.due_notifications(now):
            error = ""
            try:
                async with httpx.AsyncClient(
                    transport=self.config.notify_transport, timeout=self.config.notify_timeout
                ) as client:
                    response = await client.post(trade.notify_url, data=self.notification(trade))
                if response.status_code != 200 or response.text.strip() != "success":
                    error = f"answered {response.status_code}: {response.text[:100]}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            attempts = trade.notify_attempts + 1
            if not error:
                acknowledged += 1
                self.store.notified(
                    trade.merchant_id,
                    trade.out_trade_no,
                    state="acknowledged",
                    attempts=attempts,
                    next_at=None,
                    error="",
                )
                continue
            log.warning("notification not acknowledged: %s %s", trade.out_trade_no, error)
            if attempts >= MAX_ATTEMPTS:
                self.store.notified(
                    trade.merchant_id, trade.out_trade_no, state="gave_up", attempts=attempts, next_at=None, error=error
                )
            else:
                self.store.notified(
                    trade.merchant_id,
                    trade.out_trade_no,
                    state="due",
                    attempts=attempts,
                    next_at=self.config.clock.now() + timedelta(seconds=BACKOFF[attempts - 1]),
                    error=error,
                )
        return acknowledged

    async def notifier(self) -> None:
        """Deliver due notifications until cancelled (woken at once after a payment)."""
        while True:
            try:
                await self.deliver_due()
            except Exception:
                log.exception("notification delivery failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.config.poll_seconds)
            self._wake.clear()

    # -- the hosted pay page ------------------------------------------------------------------------------
    def _bad_link(self, lang: str) -> HTMLResponse:
        return _page(lang, f'<h1>{html.escape(TEXT[lang]["title"])}</h1><p data-testid="gateway-error">'
                     f'{html.escape(TEXT[lang]["bad_link"])}</p>', 400)  # fmt: skip

    def _result(self, lang: str, trade: Trade) -> HTMLResponse:
        t = TEXT[lang]
        label = t["paid"] if trade.status == "paid" else t["closed"]
        return _page(
            lang,
            f'<h1 data-testid="gateway-result" data-status="{trade.status}">{html.escape(label)}</h1>'
            f'<p class="amount">{_yuan(trade.amount_fen)}</p>'
            f'<div class="actions"><a class="button" href="{html.escape(trade.return_url)}">'
            f"{html.escape(t['back'])}</a></div>",
        )

    def checkout(self, query: Mapping[str, str], lang: str) -> HTMLResponse:
        merchant_id = query.get("merchant_id", "")
        secret = self._secret(merchant_id)
        now = self.config.clock.now()
        if secret is None or not verify(query, secret) or not timestamp_fresh(query.get("timestamp"), now):
            log.warning("refused a checkout link (merchant %r): bad signature or stale", merchant_id)
            return self._bad_link(lang)
        try:
            amount = int(query.get("amount_fen", ""))
        except ValueError:
            return self._bad_link(lang)
        out_trade_no = query.get("out_trade_no", "")
        notify_url, return_url = query.get("notify_url", ""), query.get("return_url", "")
        ok_urls = all(u.startswith(("http://", "https://")) for u in (notify_url, return_url))
        if not out_trade_no or not ok_urls or not 0 < amount <= MAX_AMOUNT_FEN:
            return self._bad_link(lang)
        trade = self.store.open(
            merchant_id=merchant_id,
            out_trade_no=out_trade_no,
            amount_fen=amount,
            subject=query.get("subject", "")[:200],
            notify_url=notify_url,
            return_url=return_url,
            now=now,
        )
        if trade.amount_fen != amount:  # the same order number with another amount: refused
            return self._bad_link(lang)
        if trade.status != "pending":
            return self._result(lang, trade)
        t = TEXT[lang]
        token = self._form_token(merchant_id, out_trade_no)
        hidden = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
            for k, v in (("merchant_id", merchant_id), ("out_trade_no", out_trade_no), ("token", token), ("lang", lang))
        )
        return _page(
            lang,
            f"<h1>{html.escape(t['title'])}</h1>"
            f'<p class="amount" data-testid="gateway-amount">{_yuan(amount)}</p>'
            f"<dl><div><dt>{html.escape(t['merchant'])}</dt>"
            f'<dd data-testid="gateway-merchant">{html.escape(merchant_id)}</dd></div>'
            f"<div><dt>{html.escape(t['subject'])}</dt><dd>{html.escape(trade.subject)}</dd></div>"
            f"<div><dt>{html.escape(t['order'])}</dt><dd>{html.escape(out_trade_no)}</dd></div></dl>"
            f'<form method="post" action="/pay/confirm" class="actions">{hidden}'
            f'<button class="primary" name="action" value="pay" data-testid="gateway-pay">{html.escape(t["pay"])}'
            f'</button><button class="secondary" name="action" value="cancel" data-testid="gateway-cancel">'
            f"{html.escape(t['cancel'])}</button></form>",
        )

    def confirm(self, form: Mapping[str, str], lang: str) -> Response:
        merchant_id, out_trade_no = form.get("merchant_id", ""), form.get("out_trade_no", "")
        trade = self.store.get(merchant_id, out_trade_no)
        token = form.get("token", "")
        if trade is None or not token or not hmac.compare_digest(token, self._form_token(merchant_id, out_trade_no)):
            return self._bad_link(lang)
        action = form.get("action", "")
        if action in ("pay", "cancel") and trade.status == "pending":
            now = self.config.clock.now()
            status = "paid" if action == "pay" else "closed"
            trade_no = f"T{now:%Y%m%d}{secrets.token_hex(8)}"
            if self.store.finish(
                merchant_id,
                out_trade_no,
                status=status,
                trade_no=trade_no,
                notify_id=f"n_{secrets.token_hex(10)}",
                now=now,
            ):
                self._wake.set()
        return RedirectResponse(trade.return_url, status_code=303)

    def trade_query(self, out_trade_no: str, query: Mapping[str, str]) -> JSONResponse:
        merchant_id = query.get("merchant_id", "")
        secret = self._secret(merchant_id)
        now = self.config.clock.now()
        if secret is None or not verify(query, secret) or not timestamp_fresh(query.get("timestamp"), now):
            return JSONResponse({"error": "bad_signature"}, status_code=403)
        trade = self.store.get(merchant_id, out_trade_no)
        fields: dict[str, Any] = {
            "merchant_id": merchant_id,
            "out_trade_no": out_trade_no,
            "status": trade.status if trade else "unknown",
            "trade_no": (trade.trade_no or "") if trade else "",
            "amount_fen": trade.amount_fen if trade else 0,
            "paid_at": trade.paid_at.isoformat() if trade and trade.paid_at else "",
            "timestamp": int(now.timestamp()),
        }
        return JSONResponse(signed(fields, secret))

    # -- HTTP ------------------------------------------------------------------------------------------
    def app(self, *, run_notifier: bool = True) -> FastAPI:
        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            task = asyncio.create_task(self.notifier()) if run_notifier else None
            try:
                yield
            finally:
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                self.store.close()

        app = FastAPI(title="videophone demo payment gateway", lifespan=lifespan, docs_url=None, redoc_url=None)

        @app.get("/health")
        async def health() -> dict[str, str]:
            return {"status": "ok"}

        @app.get("/pay", response_class=HTMLResponse)
        async def pay_page(request: Request) -> HTMLResponse:
            query = dict(request.query_params)
            return self.checkout(query, language(query.get("lang"), request.headers.get("accept-language")))

        @app.post("/pay/confirm", response_model=None)
        async def pay_confirm(request: Request) -> Response:
            form = await request.form()
            values = {k: v for k, v in form.items() if isinstance(v, str)}
            return self.confirm(values, language(values.get("lang"), request.headers.get("accept-language")))

        @app.get("/api/trades/{out_trade_no}")
        async def trade(out_trade_no: str, request: Request) -> JSONResponse:
            return self.trade_query(out_trade_no, dict(request.query_params))

        return app


def create_gateway_app(config: GatewayConfig, *, run_notifier: bool = True) -> FastAPI:
    return Gateway(config).app(run_notifier=run_notifier)
