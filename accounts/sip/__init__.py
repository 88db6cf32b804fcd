"""The SIP network's side of accounts: the tables Konto shares with the Kamailio proxy
(deploy/kamailio/), the digest credentials Konto keeps in them, and the registrations the proxy
writes into them.
"""
