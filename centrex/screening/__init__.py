"""Call screening ("Selektywne kierowanie połączeń"), one slice of IP Centrex.

- `models`: the account's master switch and its ordered rules;
- `numbers`: phone numbers in one international form, the account's country and numbers;
- `patterns`: caller patterns in the operator's syntax (checking, matching, covering);
- `windows`: the days and hours of a rule, in the account's time zone (DST included);
- `decision`: `decide()`, the one answer to "what does the switch do with this call";
- `shadows`: rules that can never apply because a rule above matches their calls first;
- `services`: every change (master switch, rules, "block this number"), audited;
- `rule_cache`: each account's rules cached for the switch API, invalidated by `services`;
- `forms`, `views`, `admin`: the customer's pages and the staff's screens.
"""
