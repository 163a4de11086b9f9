#!/usr/bin/env python3
"""Prints crossplane 0.5.8's parse payload for MAIN (run with the case folder
as the current directory), as the reference for confcheck --dump:
    crossplane.parse(MAIN, check_ctx=False, check_args=False)
Only for fixtures whose includes are relative to the main file's folder, where
crossplane's include rule and this language's agree."""
import json
import sys

import crossplane

payload = crossplane.parse(sys.argv[1], check_ctx=False, check_args=False)
print(json.dumps(payload, indent=2))
