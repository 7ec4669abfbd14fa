"""待办: one list per user of what needs doing, the same records the reminder mails are about."""
