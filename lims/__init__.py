"""LIMS for ISO/IEC 17025 dimensional-metrology and calibration laboratories."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lims")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
