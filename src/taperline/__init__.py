"""taperline: understand clonazepam, keep a sleep and symptom journal, taper with a prescriber.

The public API is small on purpose; clinical logic lives in :mod:`taperline.core`.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
