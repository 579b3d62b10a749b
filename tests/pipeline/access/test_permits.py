"""What an account may do to the documents of an index of two collections (fake embedder, real documents)."""

from pathlib import Path

import pytest

from pipeline.access.accounts import Account, Role
from pipeline.access.permits import Clash, removable, upload_clash, upload_collections
from pipeline.store.ingest import ingest
from pipeline.store.reader import open_index
from tests.conftest import DATA, SEED

EDITOR = Account("lan", Role.EDITOR, ("a",))
READER = Account("an", Role.READER, ("a",))
ADMIN = Account("quan-tri", Role.ADMIN, ())


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, fake_embedder):
    root: Path = tmp_path_factory.mktemp("index-permits")
    ingest([DATA / "qd-97-2025-ubnd.md"], fake_embedder, root=root, collection="a")
    ingest([SEED], fake_embedder, root=root, collection="b")
    return open_index(root)


def test_upload_collections_follow_the_role(index):
    assert upload_collections(index, READER) == []
    assert upload_collections(index, EDITOR) == ["a"]
    assert upload_collections(index, ADMIN) == ["a", "b", "chung"]


def test_an_editor_removes_only_documents_of_their_collections(index):
    assert removable(index, EDITOR) == ["qd-97-2025-ubnd.md"]
    assert removable(index, READER) == []
    assert sorted(removable(index, ADMIN)) == ["bao-cao-ktxh-2022-tp-ha-tinh.txt", "qd-97-2025-ubnd.md"]


def test_an_upload_named_like_another_collections_document_is_forbidden_not_replaced(index):
    names = ["qd 97 2025 ubnd.md", "bao-cao-ktxh-2022-tp-ha-tinh.txt", "moi.md"]  # names made safe first
    assert upload_clash(index, names, EDITOR) == Clash(replaces=("qd-97-2025-ubnd.md",),
                                                       forbidden=("bao-cao-ktxh-2022-tp-ha-tinh.txt",))
    assert upload_clash(index, names, ADMIN).forbidden == ()
    assert upload_clash(None, names, EDITOR) == Clash()
