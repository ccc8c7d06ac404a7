"""`python -m command`: the Vigil command line.

With VIGIL_ASYNC_MODE=eventlet, eventlet must patch the standard library before
anything else is imported (STACK.md 1), so this happens before any other import.
"""

import os
import sys

if os.environ.get("VIGIL_ASYNC_MODE") == "eventlet" and sys.argv[1:2] in (["serve"], ["demo"]):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # eventlet warns on import; we chose it knowingly
        import eventlet
    eventlet.monkey_patch()

from command.cli import main  # noqa: E402

sys.exit(main())
