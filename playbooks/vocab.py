"""The words a playbook may use: CAP categories, severities, grades, channels, posts and roles."""

from __future__ import annotations

import re

CATEGORIES = ("geo", "met", "safety", "security", "rescue", "fire", "health", "env", "transport", "infra",
              "cbrne", "other")
SEVERITIES = ("extreme", "severe", "moderate", "minor", "unknown")
GRADES = ("I", "II", "III", "IV")
CHANNELS = ("web", "sms")
POSTS = ("leader", "duty_officer")  # 带班领导 | 值班员, from the roster's shift
DEPARTMENT_POSTS = ("head", "liaison")  # memberships: these roles need a department
VIGIL_ROLES = ("leader", "shift_leader", "operator", "administrator")  # Person.role
MAX_WAIT_MINUTES = 24 * 60
MAX_REPEAT_TIMES = 10
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")  # fits Escalation.playbook (128)
