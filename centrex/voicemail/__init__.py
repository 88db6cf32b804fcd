"""Voicemail ("Poczta głosowa"), one slice of IP Centrex.

- `models`: the mailbox settings, the messages and the ids of deleted messages;
- `pin`: what makes an acceptable mailbox PIN;
- `services`: the settings, the PIN and the messages, as they are changed (audited);
- `notification`: the e-mail about a new message;
- `spool`: reading Asterisk's voicemail spool (folders, message information files, audio);
- `importer`: importing the spool into the mailboxes, and e-mailing the customers;
- `audio`: serving a message's audio to its owner, with HTTP ranges for seeking;
- `forms`, `views`, `admin`: the customer's pages and the staff's screens.
"""
