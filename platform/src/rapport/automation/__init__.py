"""Automation rules: a trigger (created, updated with field conditions, a date reached), conditions and
actions, run once per qualifying change, logged, with dry runs and loop prevention."""
