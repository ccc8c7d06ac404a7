"""Reporting (信息报送): what the duty room owes its superiors on an incident, and by when.

When an operator confirms a grade (or flags an incident sensitive), the rules of a reporting
profile (``profiles``) become obligations in the database, each due a number of minutes after a
named base clock (``obligations``). Reports form a series per incident: 首报, 续报 1, 2 …, 终报
(``filing``); filing discharges obligations, late by N minutes when after the due time, and an
obligation unfiled at its due time is marked missed (漏报) by ``check_due``. ``statistics`` counts
the month per department. Everything lands in the duty log as it happens.
"""

from command.reporting.filing import (FIELDS, FINAL_REQUIRED, FIRST_REQUIRED, KINDS, Filed, field_label,
                                      file_report, next_kinds, report_dict, report_label, report_name, series)
from command.reporting.obligations import SATISFIABLE, check_due, due, obligation_dict, obligations_for
from command.reporting.profiles import (CHANNELS, DEFAULT_FILE, DEFAULT_PROFILE, Profile, ProfileError, Rule,
                                        get_profile, load_profiles)
from command.reporting.statistics import NO_DEPARTMENT, monthly

__all__ = ["CHANNELS", "DEFAULT_FILE", "DEFAULT_PROFILE", "FIELDS", "FINAL_REQUIRED", "FIRST_REQUIRED", "KINDS",
           "NO_DEPARTMENT", "SATISFIABLE", "Filed", "Profile", "ProfileError", "Rule", "check_due", "due",
           "field_label", "file_report", "get_profile", "load_profiles", "monthly", "next_kinds", "obligation_dict",
           "obligations_for", "report_dict", "report_label", "report_name", "series"]
