"""Conferences' endpoint of the switch API (/switch/v1/, see accounts.switch_api): the access
code check of the conference media server."""
