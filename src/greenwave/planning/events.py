"""Event-log activity names written by the planning app."""

DAY_ITEM_ADDED = "day_item_added"
DAY_ITEM_REMOVED = "day_item_removed"
DAY_CLOSED = "day_closed"
