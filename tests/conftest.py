import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from app.core.store import Store


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    """Every test gets its own data folder, never the user's."""
    monkeypatch.setenv("FAZHI_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "ledgers.db"


@pytest.fixture
def store(db_path):
    s = Store.open(db_path)
    yield s
    s.close()
