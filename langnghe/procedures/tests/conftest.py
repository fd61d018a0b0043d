import pytest

from langnghe.procedures.selectors import search_index_invalidate
from langnghe.procedures.services import procedure_catalogue_load_bundled


@pytest.fixture
def catalogue(db):
    """The bundled catalogue, loaded in the test's transaction; a fresh index for each test."""
    search_index_invalidate()
    result = procedure_catalogue_load_bundled()
    search_index_invalidate()
    yield result
    search_index_invalidate()
