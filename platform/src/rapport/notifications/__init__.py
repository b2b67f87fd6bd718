"""Notifications: in-app messages to one member (activity reminders first), delivered live over realtime."""
