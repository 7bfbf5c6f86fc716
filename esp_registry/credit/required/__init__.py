"""Required and expiring trainings (PRODUCT §13): requirements per job family, each
member's status, reminders before expiry, and the overdue list for approvers."""
