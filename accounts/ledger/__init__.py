"""The ledger: the one path by which money changes, the low-balance alert, "Historia salda".

- `services`: change_balance (and its bulk form for imports), staff adjustments;
- `low_balance`: the alert e-mail when a charge takes the funds below the customer's threshold;
- `views`: "Historia salda", the entries that explain the balance.
"""
