"""Every view of a year takes the same day for it (domain.period.year_day): the 五星 summary,
the commitments summary and the name a year's commitment carries, for a future year too."""

from __future__ import annotations

from datetime import date

from factories import make_unit

from lsb_desktop.core import Core
from lsb_desktop.domain.commitments import CommitmentDraft


def test_a_future_year_is_seen_as_it_opens_by_the_stars_and_the_commitments(core: Core) -> None:
    today = date.today()
    year = today.year + 1
    leaving = make_unit(core, "甲村")  # archived in the middle of next year: still there as it opens
    gone = make_unit(core, "乙村")  # archived on next year's first day: not in next year
    renamed = make_unit(core, "丙村")  # renamed in the middle of next year
    core.villages.archive_unit(leaving.id, date(year, 6, 1), "撤并")
    core.villages.archive_unit(gone.id, date(year, 1, 1), "撤并")
    core.villages.change_unit(renamed.id, name="新丙村", effective=date(year, 6, 1), reason="更名")
    core.commitments.add(CommitmentDraft(renamed.id, year, "修缮村道", "民生实事"))

    in_stars = {u.unit_id for u in core.stars.year_view(year).units}
    in_commitments = {row.unit_id for row in core.commitments.summary(year)}
    assert in_stars == in_commitments == {leaving.id, renamed.id}
    assert [item.unit_name for item in core.commitments.list_commitments(year)] == ["丙村"]
    assert {u.unit_id: u.unit_name for u in core.stars.year_view(year).units}[renamed.id] == "丙村"
