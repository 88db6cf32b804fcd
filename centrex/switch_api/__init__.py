"""IP Centrex's endpoints of the switch API (/switch/v1/, see accounts.switch_api).

- `route`: the routing and screening decision the proxy asks for on every INVITE;
- `voicemail_pin`: the voicemail server's PIN check, with a lockout per mailbox.
"""
