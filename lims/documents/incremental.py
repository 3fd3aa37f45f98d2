"""Incremental updates (signature, validation data, timestamps) that keep a file PDF/A-3b.

PDF/A-3 (ISO 19005-3) is based on PDF 1.7 (ISO 32000-1), but pyHanko marks a file signed with
ECDSA on a named curve, such as the demo P-256 key, as PDF 2.0: it sets the catalog /Version to
2.0 and declares the ISO/TS 32002 extension (/Extensions /ISO_, whose base version is 2.0).
pyHanko has no option to leave that out, so every update is written through ``PdfA3Writer``,
which never raises the file's version and drops any developer extension based on a later PDF
version than the file's.  Nothing in a signature depends on the declaration: the CMS signature
value and its algorithm identifier are the same either way, and validators read them from the
CMS.  The 1.7-based ESIC extension that pyHanko declares for PAdES structures stays.

Changing the demo key to RSA was the alternative; it would not protect a lab that configures its
own ECDSA key, and RSA signs ten times slower (/work/shared/ENVIRONMENT.md section 4).
"""

import logging

from pyhanko.pdf_utils.extensions import DeveloperExtension
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import parse_catalog_version

logger = logging.getLogger(__name__)


class PdfA3Writer(IncrementalPdfFileWriter):
    """An incremental update that keeps the file at the PDF version its header declares."""

    def ensure_output_version(self, version: tuple[int, int]) -> None:
        if version <= self.prev.input_version:
            super().ensure_output_version(version)
        else:
            logger.debug("PDF %s.%s not declared: the file stays PDF/A-3", *version)

    def register_extension(self, ext: DeveloperExtension) -> None:
        base_version = parse_catalog_version(ext.base_version)
        if base_version is not None and base_version <= self.prev.input_version:
            super().register_extension(ext)
        else:
            logger.debug("extension %s not declared: the file stays PDF/A-3", ext.prefix_name)
