"""Keeping the data safe: backups, the one-writer lock, passwords and encryption, drafts."""
