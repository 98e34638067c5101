"""The ``videophone`` command with one public route poisoned, for tests that need a real server
answering unhandled errors: ``python -m tests.support.poisoned_serve serve --port …``.

``GET /api/v1/agreement`` (only web routes read the current agreement) fails 200 frames deep, before
any database work, with the process's secret settings held in the local variables of every frame and
quoted in the exception's message: what an error looks like to the logging pipeline at its worst, and
nothing but the error's own cost.  None of this is in the production code paths."""

from __future__ import annotations

from typing import Any, NoReturn

from videophone import cli
from videophone.config import Settings
from videophone.identity.services.agreement import AgreementService

DEPTH = 200
SETTINGS = Settings()


def _descend(level: int, smtp_password: str, gateway_secret: str, settings: Settings) -> NoReturn:
    if level == 0:
        raise RuntimeError(f"poisoned route: mail relay refused {smtp_password!r}")
    _descend(level - 1, smtp_password, gateway_secret, settings)


async def poisoned_current(self: AgreementService, *args: Any, **kwargs: Any) -> Any:
    _descend(DEPTH, SETTINGS.smtp_password, SETTINGS.effective_gateway_secret(), SETTINGS)


AgreementService.current = poisoned_current  # type: ignore[method-assign]

if __name__ == "__main__":
    cli.app()
