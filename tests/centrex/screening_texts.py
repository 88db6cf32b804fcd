"""What the screening pages say while call screening is off: the expected texts of several tests.

The screening builders live in tests/factories.py.
"""

from __future__ import annotations

DISABLED_PL = (
    "Selekcja połączeń wyłączona. W celu włączenia skontaktuj się ze swoim dostawcą usługi lub "
    "administratorem."
)
DISABLED_EN = (
    "Call screening is disabled. To enable it, contact your service provider or administrator."
)
