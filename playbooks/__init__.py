"""Playbooks: YAML files that say who is told about an incident, how fast, and what happens when nobody answers.

Public interface: load_dir / load_file -> [Playbook]; match(playbooks, facts, local_time);
STEP_TYPES (type -> parameters), the table the escalation engine dispatches on.
Knows nothing of Flask or command/; of feeds/ it reads only the words of feeds.vocabulary.
"""

from playbooks.loader import Playbook, PlaybookError, load_dir, load_file
from playbooks.matcher import match, ranked
from playbooks.schema import NOTIFY_TYPES, STEP_TYPE_NAMES, STEP_TYPES
from playbooks.yamlnodes import Problem

__all__ = ["NOTIFY_TYPES", "STEP_TYPES", "STEP_TYPE_NAMES", "Playbook", "PlaybookError", "Problem", "load_dir",
           "load_file", "match", "ranked"]
