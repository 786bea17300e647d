"""Data packs: ledgers carried between the PCs of one town's offices (DESIGN.md section 5).

``pack.make_pack`` writes the chosen ledgers to a pack file (``container`` says its layout);
``merge.merge_pack`` merges one into this PC's database, or says what it would do, after
``merge_check`` has validated every row.
"""
