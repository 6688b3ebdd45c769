"""The smallest widget, end to end: the server status card renders in JupyterLab and refreshes."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_status_card_renders_and_refreshes(cell, page, ls_server) -> None:  # type: ignore[no-untyped-def]
    cell("card = server.card()\ncard")
    card = page.locator(".lsn-card").last
    card.wait_for(timeout=60_000)
    text = card.inner_text()
    assert "Label Studio" in text and "running" in text
    assert ls_server.url in text
    link = card.locator("a").first
    assert link.get_attribute("href").startswith(ls_server.url)
    assert link.get_attribute("rel") == "noopener noreferrer"
    before = int(card.locator("tr", has_text="Projects").locator("td").inner_text())
    ls_server.server.client.projects.create(title="status card refresh check", label_config="<View></View>")
    card.locator("button", has_text="Refresh").click()
    page.wait_for_function(
        "(n) => { const cards = document.querySelectorAll('.lsn-card');"
        " const row = Array.from(cards[cards.length - 1].querySelectorAll('tr'))"
        ".find(r => r.textContent.includes('Projects'));"
        " return row && Number(row.querySelector('td').textContent) === n; }",
        arg=before + 1,
        timeout=30_000,
    )
    html = page.content()
    assert ls_server.api_key not in html
