"""District names in English, Kazakh and Russian: one key to compare them all.

Offices write the same district as ``Saryagash``, ``Сарыағаш ауданы`` or
``Сарыагашский район``, and the same city as ``Turkistan`` (from Kazakh
Түркістан) or ``Turkestan`` (from Russian Туркестан). :func:`name_key` reduces
a name to a comparison key: Cyrillic (Kazakh and Russian letters) and the
Kazakh Latin alphabet are written in plain Latin letters by one small table,
the letters that transliteration schemes disagree on are folded (``y``/``i``,
``q``/``k``, ``kh``/``h``, ``j``/``zh``), and words such as *ауданы*, *район*,
*district* or *city* are dropped.
:func:`resolve_district` looks a name up among every name a districts layer
holds (columns ``district``, ``name_kk`` and ``name_ru``), and
:func:`suggest_districts` lists the close ones for an error message.
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from zonegeo.errors import UnknownDistrictError

__all__ = [
    "NAME_COLUMNS",
    "NameMatch",
    "district_aliases",
    "name_key",
    "resolve_district",
    "suggest_districts",
]

log = logging.getLogger(__name__)

#: Columns of the districts layer that hold a district's names, and their language.
NAME_COLUMNS: dict[str, str] = {
    "district": "English",
    "name_kk": "Kazakh",
    "name_ru": "Russian",
}

#: Kazakh and Russian Cyrillic letters in Latin letters (lower case).
_CYRILLIC: dict[str, str] = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d",
    "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "y", "і": "i",
    "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o",
    "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u",
    "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
#: Letters of the Kazakh Latin alphabets (2018, 2021) that are not plain accents.
_LATIN = {"ş": "sh", "ç": "ch", "ı": "y", "ñ": "n"}
_TABLE = str.maketrans({**_CYRILLIC, **_LATIN})

#: Words that name the kind of unit, not the unit (already in Latin letters).
_GENERIC = frozenset(
    {
        "audany",  # ауданы
        "audani",
        "rayon",
        "raion",
        "rayoni",
        "district",
        "city",
        "town",
        "kalasy",  # қаласы
        "kalasi",
        "gorod",  # город
        "g",  # г. (город)
        "k",  # қ. (қала)
        "oblys",
        "oblysy",  # облысы
        "oblast",
        "region",
        "of",
        "the",
    }
)
#: Latin spellings that transliteration schemes disagree on, folded to one.
_FOLDS = (("kh", "h"), ("zh", "j"), ("q", "k"), ("w", "u"), ("y", "i"))


def _latin_words(text: str) -> list[str]:
    latin = text.lower().translate(_TABLE)
    # Drop the remaining accents (ğ, ä, ö, ü, ū, á, ...): NFKD, then ASCII.
    latin = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode()
    return [w for w in re.split(r"[^a-z0-9]+", latin) if w]


def name_key(text: object) -> str:
    """Return the comparison key of a place name in any of the three languages.

    Parameters
    ----------
    text : object
        A name in English, Kazakh or Russian; ``str()`` is applied.

    Returns
    -------
    str
        Lower-case Latin letters and digits, generic words removed; empty for
        an empty name.

    Examples
    --------
    >>> name_key("Сарыағаш ауданы"), name_key("Saryagash district")
    ('sariagash', 'sariagash')
    >>> name_key("Түркістан қаласы") == name_key("Turkistan")
    True
    >>> name_key("город Туркестан") == name_key("Turkestan")
    True
    """
    words = [w for w in _latin_words(str(text)) if w not in _GENERIC]
    key = "".join(words)
    for old, new in _FOLDS:
        key = key.replace(old, new)
    return key


@dataclass(frozen=True)
class NameMatch:
    """A district found for a name.

    Attributes
    ----------
    district : str
        The district's English name (the ``district`` column).
    column : str
        The column whose name matched: ``district``, ``name_kk`` or ``name_ru``.
    name : str
        The name in that column.
    score : float
        1.0 for an exact key match, else the similarity of the keys (0-1).
    """

    district: str
    column: str
    name: str
    score: float

    def describe(self) -> str:
        """Say which district matched and, if not by its English name, how."""
        if self.column == "district" or self.name == self.district:
            return repr(self.district)
        lang = NAME_COLUMNS.get(self.column, self.column)
        return f"{self.district!r} ({lang} {self.column} {self.name!r})"


def district_aliases(districts: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """Return ``(key, district, column, name)`` for every name of every district.

    Parameters
    ----------
    districts : DataFrame
        With a ``district`` column and optionally ``name_kk`` and ``name_ru``.
    """
    out = []
    english = districts["district"].tolist()
    for column in NAME_COLUMNS:
        if column not in districts.columns:
            continue
        for district, value in zip(english, districts[column].tolist(), strict=True):
            if pd.isna(district) or pd.isna(value):
                continue
            key = name_key(value)
            if key:
                out.append((key, str(district), column, str(value)))
    return out


def _exact(name: str, districts: pd.DataFrame) -> list[NameMatch]:
    key = name_key(name)
    found: dict[str, NameMatch] = {}
    for k, district, column, value in district_aliases(districts):
        if k == key and district not in found:
            found[district] = NameMatch(district, column, value, 1.0)
    return list(found.values())


def suggest_districts(
    name: str, districts: pd.DataFrame, *, n: int = 3, cutoff: float = 0.6
) -> list[NameMatch]:
    """Return up to ``n`` districts whose names (any language) are close to ``name``.

    If some names have exactly the key of ``name`` (score 1.0), only those
    districts are returned; otherwise the most similar keys.

    Parameters
    ----------
    name : str
        The name to look for.
    districts : DataFrame
        The districts layer.
    n : int, default 3
        Most districts to return.
    cutoff : float, default 0.6
        Least similarity (``difflib`` ratio of the keys) to count as close.

    Returns
    -------
    list of NameMatch
        One per district, best first.

    Examples
    --------
    >>> import zonegeo
    >>> ds = zonegeo.load_demo()
    >>> [m.district for m in suggest_districts("Sauram", ds.districts)]
    ['Sauran', 'Sayram']
    >>> suggest_districts("Сарыағаш", ds.districts)[0].describe()
    "'Saryagash' (Kazakh name_kk 'Сарыағаш')"
    """
    key = name_key(name)
    best: dict[str, tuple[float, NameMatch]] = {}
    if not key:
        return []
    lower = name.lower()
    for k, district, column, value in district_aliases(districts):
        score = 1.0 if k == key else difflib.SequenceMatcher(None, key, k).ratio()
        if score < cutoff:
            continue
        # Among equal keys, show the name written most like the one asked for.
        spelling = difflib.SequenceMatcher(None, lower, value.lower()).ratio()
        old = best.get(district)
        if old is None or (score, spelling) > (old[1].score, old[0]):
            best[district] = (spelling, NameMatch(district, column, value, score))
    ranked = sorted((m for _, m in best.values()), key=lambda m: -m.score)
    exact = [m for m in ranked if m.score == 1.0]
    return (exact or ranked)[:n]


def resolve_district(name: str, districts: pd.DataFrame, *, source: str = "") -> str:
    """Return the English name of the district called ``name`` in any language.

    ``name`` resolves when it is a district's English name, or when its key
    (:func:`name_key`) equals the key of exactly one district's English,
    Kazakh or Russian name: ``Сауран``, ``Сарыағаш`` and ``Turkistan`` (against
    Kazakh ``Түркістан``) all resolve. A mere resemblance never does; it is
    offered as a suggestion.

    Parameters
    ----------
    name : str
        The name to look up.
    districts : DataFrame
        The districts layer (``district``, optionally ``name_kk``, ``name_ru``).
    source : str, optional
        Where the districts came from, for the error message.

    Returns
    -------
    str
        The ``district`` value.

    Raises
    ------
    UnknownDistrictError
        If no district has that name, or several do; the message lists the
        close matches (in any of the three languages) and the known districts.

    Examples
    --------
    >>> import zonegeo
    >>> districts = zonegeo.load_demo().districts
    >>> resolve_district("Сауран", districts), resolve_district("Turkistan", districts)
    ('Sauran', 'Turkestan')
    """
    known = [str(d) for d in districts["district"]]
    if name in known:
        return name
    where = source or "the dataset"
    matches = _exact(name, districts)
    if len(matches) == 1:
        log.info("district %r is %s", name, matches[0].describe())
        return matches[0].district
    if len(matches) > 1:
        shown = " or ".join(m.describe() for m in matches)
        msg = (
            f"district name {name!r} is ambiguous in {where}: it matches {shown}. "
            f"Fix: give the English name from the districts layer"
        )
        raise UnknownDistrictError(msg)
    close = suggest_districts(name, districts)
    hint = f" Did you mean {' or '.join(m.describe() for m in close)}?" if close else ""
    msg = (
        f"unknown district {name!r} in {where}.{hint} "
        f"Known districts: {', '.join(known)}"
    )
    raise UnknownDistrictError(msg)
