"""Data packs: ledgers carried between the PCs of one town's offices (DESIGN.md section 5).

``make_pack`` writes the chosen ledgers to a pack file (``container`` says its layout);
``merge_pack`` merges one into this PC's database, or says what it would do.
"""

from .container import PackError, PasswordNeeded, WrongPassword
from .merge import Conflict, MergeResult, merge_pack, read_pack
from .pack import SUFFIX, PackSummary, choose_ledgers, holds_personal, is_personal, make_pack

__all__ = [
    "SUFFIX",
    "Conflict",
    "MergeResult",
    "PackError",
    "PackSummary",
    "PasswordNeeded",
    "WrongPassword",
    "choose_ledgers",
    "holds_personal",
    "is_personal",
    "make_pack",
    "merge_pack",
    "read_pack",
]
