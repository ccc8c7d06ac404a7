"""The words a playbook may use: CAP categories, severities and grades (feeds.vocabulary), channels, posts, roles."""

from __future__ import annotations

import re

from feeds.vocabulary import Category, Grade, Severity, words

CATEGORIES = words(Category)
SEVERITIES = words(Severity)
GRADES = words(Grade)
CHANNELS = ("web", "sms")
POSTS = ("leader", "duty_officer")  # 带班领导 | 值班员, from the roster's shift
DEPARTMENT_POSTS = ("head", "liaison")  # memberships: these roles need a department
VIGIL_ROLES = ("leader", "shift_leader", "operator", "administrator")  # Person.role
MAX_WAIT_MINUTES = 24 * 60
MAX_REPEAT_TIMES = 10
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")  # fits Escalation.playbook (128)
