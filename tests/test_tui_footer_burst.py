"""The footer composes its keys once for a burst of changes (issue 14: first paint).

At start-up the focus moves, the size becomes known and the bindings change within one
refresh; Textual's footer composed and mounted every key again for each of them (five times
before the war room settled). `RoleFooter` asks for one recompose per burst.
"""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from cutover_tui.tui.screenshots import scene_app
from cutover_tui.tui.widgets.footer import RoleFooter
from tests.warroom_support import settle

SIZE = (160, 48)


async def test_a_burst_of_binding_changes_composes_the_footer_once(monkeypatch) -> None:
    composed: list[int] = []
    compose = RoleFooter.compose

    def counting(self):  # a generator, as Textual drives compose (data_bind needs it)
        keys = 0
        for key in compose(self):
            keys += 1
            yield key
        composed.append(keys)

    monkeypatch.setattr(RoleFooter, "compose", counting)
    app = scene_app("on-track")
    async with app.run_test(size=SIZE) as pilot:
        footer = app.query_one(RoleFooter)
        await settle(pilot, lambda: "help" in {k.action for k in app.query(FooterKey)})
        done: list[bool] = []

        def mark() -> None:  # after the recomposes asked for before it (one queue, in order)
            footer.call_after_refresh(done.append, True)

        footer.call_later(mark)  # after whatever start-up asked for
        await settle(pilot, lambda: done)
        before = len(composed)

        def burst() -> None:  # three changes in one refresh, in the footer's own context
            for _ in range(3):
                footer.bindings_changed(app.screen)

        done.clear()
        footer.call_later(burst)
        footer.call_later(mark)
        await settle(pilot, lambda: done)
        assert len(composed) == before + 1
        assert composed[-1] == len(app.query(FooterKey)) > 0  # the keys, composed again
