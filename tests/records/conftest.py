"""Record exports issue real documents: the lab's signing key comes from the documents' tests."""

from tests.documents.conftest import settings

__all__ = ["settings"]
