"""Every table of the application, imported in one place so the metadata is complete.

Alembic's autogenerate and the schema-agreement tests compare the migrations against
``metadata`` from here.
"""

from sqlmodel import SQLModel

from lims.accounts.models import Organisation

metadata = SQLModel.metadata

__all__ = ["Organisation", "metadata"]
