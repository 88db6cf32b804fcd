"""The switch API (/switch/v1/): what a SIP proxy or media server asks Konto at call setup.

Switches authenticate with a bearer token each (SwitchToken), never with a customer session.
"""
