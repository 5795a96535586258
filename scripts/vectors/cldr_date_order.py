#!/usr/bin/env python3
"""Each region's usual numeric date order, from CLDR's short date patterns.

For every ISO 3166-1 alpha-2 territory CLDR knows, the region's most likely
locale (CLDR likely subtags, `und_XX` maximised) gives the short date pattern
(for example en_US `M/d/yy`, de_DE `dd.MM.yy`, ja_JP `y/MM/dd`); the order of
its y, M and d fields is the region's order. Prints the month-first and the
year-first regions (every other region is day-first), the lists that
`src/normalize/date.rs` holds.

    python3 -m venv /tmp/cldr && /tmp/cldr/bin/pip install babel==2.18.0
    /tmp/cldr/bin/python scripts/vectors/cldr_date_order.py

Source: Unicode CLDR, as shipped in Babel 2.18.0 (CLDR 47),
https://cldr.unicode.org/ , `dateFormats/short` in each locale's gregorian
calendar, and `likelySubtags` (for the regions they omit, `territoryInfo` official
languages).
"""
import babel
from babel import Locale
from babel.core import get_global
from babel.languages import get_official_languages


def order(pattern):
    seen = []
    for ch in pattern:
        k = {"y": "y", "M": "m", "L": "m", "d": "d"}.get(ch)
        if k and k not in seen:
            seen.append(k)
    return "".join(seen)


def main():
    likely = get_global("likely_subtags")
    territories = sorted(
        t for t in Locale("en").territories if len(t) == 2 and t.isalpha() and t != "ZZ"
    )
    groups = {}
    for t in territories:
        # Likely subtags omit the English-speaking regions (und_US is implied
        # by und -> en_Latn_US); those fall back to the region's first
        # official (or de facto) language.
        tag = likely.get(f"und_{t}")
        if not tag:
            langs = get_official_languages(t, de_facto=True)
            if not langs:
                continue
            tag = f"{langs[0]}_{t}"
        try:
            loc = Locale.parse(tag)
        except Exception:  # no locale data for the likely language
            continue
        o = order(loc.date_formats["short"].pattern)
        groups.setdefault(o, []).append(t)
    print(f"# CLDR via Babel {babel.__version__}")
    for o in sorted(groups):
        print(o, " ".join(groups[o]))


if __name__ == "__main__":
    main()
