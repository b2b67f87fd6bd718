"""Realtime: record changes and notifications pushed over a WebSocket to the members who may see them."""
