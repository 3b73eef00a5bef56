"""Write ``src/agency_core/data/calendar-cn.toml`` from the chinesecalendar package, once.

agency-core shipped its calendar through chinesecalendar 1.11.0 (data 2004..2026) until the schedule
became data a firm can read and extend. This script records how the data file was made::

    python -m pip install chinesecalendar==1.11.0
    python tools/calendar_cn.py > src/agency_core/data/calendar-cn.toml

Later years are added to the data file by hand, from the State Council's notice.
"""

from __future__ import annotations

import itertools
from datetime import date

from chinese_calendar import __version__
from chinese_calendar.constants import Holiday, holidays, workdays

HEADER = f"""\
# The official working calendar of mainland China: for each year, the days off of the statutory
# holidays (holidays, weekends inside a holiday included) and the Saturdays and Sundays worked in
# lieu (workdays, 调休), as the State Council publishes them each year in its notice
# 国务院办公厅关于<year>年部分节假日安排的通知. Every other Monday..Friday is a working day.
#
# Years 2004..2026 were generated once from chinesecalendar {__version__} by tools/calendar_cn.py.
# Add a year here, or in a policy file ([calendar.years.<year>] or [calendar] file = "..."), as
# soon as its notice is published: agency-core refuses to count a deadline in a year not listed.
# The comments name the holiday of each line (holiday names of chinesecalendar).
"""


def lines(days: dict[date, str], year: int) -> list[str]:
    mine = sorted(day for day in days if day.year == year)
    out = []
    for name, group in itertools.groupby(mine, key=days.__getitem__):
        holiday = Holiday(name)
        listed = ", ".join(day.isoformat() for day in group)
        out.append(f"  {listed},  # {holiday.chinese} {holiday.value}")
    return out


def main() -> None:
    blocks = [HEADER]
    for year in sorted({day.year for day in holidays}):
        holiday_lines = "\n".join(lines(holidays, year))
        workday_lines = "\n".join(lines(workdays, year))
        blocks.append(
            f"[years.{year}]\nholidays = [\n{holiday_lines}\n]\nworkdays = [\n{workday_lines}\n]\n"
        )
    print("\n".join(blocks), end="")


if __name__ == "__main__":
    main()
