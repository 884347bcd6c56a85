"""Everything Qt: the main window, tabs, dialogs, table models (imports lsb_desktop, never db)."""
