"""Voicemail ("Poczta głosowa"), one slice of IP Centrex.

- `models`: the mailbox settings, the messages, the ids of deleted messages and the greetings;
- `pin`: what makes an acceptable mailbox PIN;
- `services`: the settings, the PIN, the messages and the greetings, as they are changed
  (audited);
- `notification`: the e-mail about a new message;
- `spool`: Asterisk's voicemail spool as found on disk (folders, messages, greetings, what the
  switch is still writing); `spool_files`: reading it without following links or opening FIFOs;
- `message_info`: a message information file (msgNNNN.txt), its caller and its id;
- `audio_formats`, `recordings`: the formats of voicemail.conf, and making a recording playable
  in the browser (converted with sox when it is not PCM WAV);
- `importer`: importing the spool into the mailboxes, and e-mailing the customers;
- `greetings`: keeping the mailboxes' greetings in step with the spool at each import;
- `audio`: serving a message's or greeting's audio to its owner, with HTTP ranges for seeking;
- `forms`, `views`, `admin`: the customer's pages and the staff's screens.
"""
