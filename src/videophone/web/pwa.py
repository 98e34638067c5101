"""The installable portal (R-36): its web app manifest, its service worker (served from the root so its
scope is the whole site) and the offline page the service worker shows when a page cannot load."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from videophone import __version__
from videophone.edge.i18n import ui
from videophone.edge.problems import request_language
from videophone.web.page_texts import STATIC
from videophone.web.pages import render

router = APIRouter(include_in_schema=False)
THEME = "#0b5cad"  # app.css --primary


@router.get("/manifest.webmanifest")
async def manifest(request: Request) -> JSONResponse:
    lang = request_language(request)
    icon = "/static/icon-{}.png"
    body = {
        "name": ui("brand", lang) + (" · " + ui("footer_note", lang)),
        "short_name": ui("brand", lang),
        "lang": lang,
        "start_url": "/phone",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "icons": [
            {"src": icon.format("192"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": icon.format("512"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": icon.format("maskable-512"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
    return JSONResponse(body, media_type="application/manifest+json", headers={"Cache-Control": "no-cache"})


@router.get("/sw.js")
async def service_worker() -> Response:
    script = (STATIC / "sw.js").read_text(encoding="utf-8").replace("__VERSION__", __version__)
    return Response(script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/offline", response_class=HTMLResponse)
async def offline(request: Request) -> HTMLResponse:
    other_lang = "en" if request_language(request) == "zh-CN" else "zh-CN"
    return render(
        request,
        "portal/offline.html",
        area="portal",
        page="offline",
        other_lang=other_lang,
        other=lambda key: ui(key, other_lang),
    )
