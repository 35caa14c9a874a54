"""Events: activities an org publishes, with registration, check-in, feedback, calendars and rooms."""
