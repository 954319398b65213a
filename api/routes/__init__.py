"""Routers, one per concern."""
