"""Customer pages, split by screen group: lists.py, detail.py, settings.py."""
