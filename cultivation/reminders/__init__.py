"""Reminder digests (certificate expiry, 高企 annual report, follow-ups, leader digest)."""
