"""Payments (R-23): the portal's pay flow, the gateway's notifications, counter payments and refunds."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
