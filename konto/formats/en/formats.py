"""English dates and times as Konto shows them: a 24-hour clock, as in Polish.

Django's English formats use "P" ("11 p.m.", "12:32 a.m."), which mixes with the 24-hour
times of call records, CSV exports and the switch's own files. Only what differs from
Django's English formats is here; the rest falls through to them.
"""

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
