"""Voicemail business rules: PIN strength, mailbox settings, messages, and the spool import.

Views, the admin and `manage.py import_voicemail` all call these functions; none of them
changes voicemail data by itself.

- `pin`: what makes an acceptable mailbox PIN;
- `mailbox`: the mailbox settings, the PIN and the messages, as they are changed (audited);
- `notification`: the e-mail about a new message;
- `spool`: reading Asterisk's voicemail spool (folders, message information files, audio);
- `importer`: importing the spool into the mailboxes, and e-mailing the customers;
- `forms`: the settings and PIN forms of the Voicemail sub-tab (import them from there).

Use the names below as `voicemail.change_pin(...)`; they are the package's public API.
"""

from __future__ import annotations

from centrex.voicemail.importer import (
    IMPORT_ACTOR,
    UNHEARD_FOLDERS,
    ImportReport,
    import_spool,
    store_message,
)
from centrex.voicemail.mailbox import (
    change_pin,
    clear_pin,
    delete_message,
    move_message,
    save_settings,
    set_heard,
    settings_for,
)
from centrex.voicemail.notification import attachment_name, send_notification
from centrex.voicemail.pin import (
    COMMON_PINS,
    PIN_ERRORS,
    PIN_MAX_LENGTH,
    PIN_MIN_LENGTH,
    validate_pin,
)
from centrex.voicemail.spool import (
    IGNORED_FOLDERS,
    IMPORTED_FOLDERS,
    MAX_TXT_SIZE,
    MESSAGE_FILE,
    SpoolError,
    SpoolMessage,
    SpoolProblem,
    check_audio,
    parse_callerid,
    read_message_file,
    scan_spool,
)

__all__ = [
    # pin
    "COMMON_PINS",
    "PIN_ERRORS",
    "PIN_MAX_LENGTH",
    "PIN_MIN_LENGTH",
    "validate_pin",
    # mailbox
    "change_pin",
    "clear_pin",
    "delete_message",
    "move_message",
    "save_settings",
    "set_heard",
    "settings_for",
    # notification
    "attachment_name",
    "send_notification",
    # spool
    "IGNORED_FOLDERS",
    "IMPORTED_FOLDERS",
    "MAX_TXT_SIZE",
    "MESSAGE_FILE",
    "SpoolError",
    "SpoolMessage",
    "SpoolProblem",
    "check_audio",
    "parse_callerid",
    "read_message_file",
    "scan_spool",
    # importer
    "IMPORT_ACTOR",
    "UNHEARD_FOLDERS",
    "ImportReport",
    "import_spool",
    "store_message",
]
