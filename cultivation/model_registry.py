"""Imports every model module so that ``db.metadata`` knows all tables (Alembic relies on it).

Add a line here when a concept gains a ``models.py``.
"""

from cultivation.accounts import models as accounts_models  # noqa: F401
from cultivation.audit import models as audit_models  # noqa: F401
from cultivation.channels import models as channels_models  # noqa: F401
from cultivation.dashboard import models as dashboard_models  # noqa: F401
from cultivation.enterprises import models as enterprises_models  # noqa: F401
from cultivation.imports import models as imports_models  # noqa: F401
from cultivation.mail import models as mail_models  # noqa: F401
from cultivation.parameters import models as parameters_models  # noqa: F401
from cultivation.portfolios import models as portfolios_models  # noqa: F401
from cultivation.qualifications import models as qualifications_models  # noqa: F401
from cultivation.reminders import models as reminders_models  # noqa: F401
from cultivation.reports import models as reports_models  # noqa: F401
from cultivation.savedfilters import models as savedfilters_models  # noqa: F401
from cultivation.scheduling import models as scheduling_models  # noqa: F401
from cultivation.screening import models as screening_models  # noqa: F401
from cultivation.todos import models as todos_models  # noqa: F401
from cultivation.visits import models as visits_models  # noqa: F401
from cultivation.windows import models as windows_models  # noqa: F401
