"""Crisis detection for youth messages: pure Python, no Django.

    detector = Detector.from_lexicon(load_shipped_lexicon())
    result = detector.scan("我不想活了")          # ScanResult(level=2, categories=("suicide",), ...)
    risk = ConversationRisk()
    detector.scan_in_conversation(text, risk)    # accumulates across one conversation

The lexicon is data (crisis/lexicon/lexicon.json, or a version stored by the
supervisors' editor); see crisis/lexicon/README.md and docs/crisis.md.
"""

from .detector import Detector
from .lexicon import load_shipped_lexicon, validate_lexicon
from .model import CATEGORIES, ConversationRisk, Finding, ScanResult

__all__ = [
    "CATEGORIES",
    "ConversationRisk",
    "Detector",
    "Finding",
    "ScanResult",
    "load_shipped_lexicon",
    "validate_lexicon",
]
