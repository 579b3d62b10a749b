"""What one account may do to the documents of a loaded index, decided here so that the app (and any other
front end) only asks: which collections it may upload into, which documents it may remove, and whether an
upload would replace a document it may edit or clash with one it may not (a document name is unique across the
whole index, so an upload named like another collection's document is refused, never a silent replacement).

>>> from pipeline.access.accounts import Account, Role
>>> lan = Account("lan", Role.EDITOR, ("tai-chinh",))
>>> upload_collections(None, lan), upload_collections(None, Account("an", Role.READER, ("tai-chinh",)))
(['tai-chinh'], [])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.access.accounts import Account, Role
from pipeline.protocol import IndexReader
from pipeline.types import DEFAULT_COLLECTION


@dataclass(frozen=True)
class Clash:
    """Uploads named like indexed documents: those it may replace, and those it may not touch."""

    replaces: tuple[str, ...] = ()  # documents of a collection the account edits: replaced when it confirms
    forbidden: tuple[str, ...] = ()  # documents of another collection: the upload has to be renamed


def upload_collections(index: IndexReader | None, account: Account) -> list[str]:
    """The collections `account` may upload into: an editor's own; for an admin every collection of `index`
    and the shared one; none for a reader."""
    if account.role is Role.READER:
        return []
    if account.role is Role.EDITOR:
        return list(account.collections)
    found = {d.collection for d in index.docs.values()} if index is not None else set()
    return sorted(found | {DEFAULT_COLLECTION})


def removable(index: IndexReader, account: Account) -> list[str]:
    """The documents of `index` that `account` may remove (those of the collections it edits)."""
    return [n for n, d in index.docs.items() if account.can_edit(d.collection)]


def upload_clash(index: IndexReader | None, names: Sequence[str], account: Account) -> Clash:
    """Which of the upload `names` (made safe first, as the library saves them) are named like documents of the
    whole `index`, split by whether `account` may edit their collection."""
    from pipeline.store.library import safe_name

    if index is None:
        return Clash()
    mine: list[str] = []
    theirs: list[str] = []
    for name in dict.fromkeys(names):
        try:
            key = safe_name(name)
        except ValueError:
            continue  # an unusable name is refused when it is queued
        if (doc := index.docs.get(key)) is not None:
            (mine if account.can_edit(doc.collection) else theirs).append(key)
    return Clash(tuple(mine), tuple(theirs))
