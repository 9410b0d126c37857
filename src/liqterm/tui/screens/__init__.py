"""The app's screens: main, help, filter, threshold editor, event detail, venue health, alerts."""
