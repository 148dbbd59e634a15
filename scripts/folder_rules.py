#!/usr/bin/env python3
"""folder_rules.py [--source DIR]: checks the #include lines against the dependency rules
between switchyard's folders (below). A header belongs to the folder it lives in. Prints
each include that breaks a rule and exits 1; prints "folder rules kept" and exits 0
otherwise. Cycles between files are cycles.py's job.
"""
import argparse
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
import srctree  # noqa: E402

# Folder of the including file -> folders it may include (None: no such limit).
ONLY = {
    "base": {"base"},
    "schemas": {"base", "schemas"},
    "state": {"base", "schemas", "state"},
}
# Folder of the including file -> folders it must never include.
NEVER = {
    "processor/expr": {"processor/journey", "processor/engine"},
    "processor/journey": {"processor/engine"},
    "processor/engine": {"processor/runner", "processor/replay", "processor/io",
                         "processor/cli"},
    # The journey map draws a journey; it runs nothing and reads no topic.
    "processor/map": {"processor/runner", "processor/engine", "processor/io",
                      "processor/cli", "processor/replay"},
}
CLI = "processor/cli"
CLI_USERS = {"processor/main.c"}


def broken_rule(user, target):
    """Why including target from user breaks a rule, or None when it keeps them all."""
    user_dir, target_dir = os.path.dirname(user), os.path.dirname(target)
    if user_dir == target_dir:
        return None
    allowed = ONLY.get(user_dir)
    if allowed is not None and target_dir not in allowed:
        return "%s/ includes only %s" % (user_dir, ", ".join(d + "/" for d in sorted(allowed)))
    if target_dir in NEVER.get(user_dir, ()):
        return "%s/ never includes %s/" % (user_dir, target_dir)
    if target_dir == CLI and user not in CLI_USERS:
        return "only %s includes %s/ headers" % (", ".join(sorted(CLI_USERS)), CLI)
    if user_dir == "bench" and target.endswith("_int.h"):
        return "bench/ uses public headers only, not *_int.h"
    return None


def main():
    parser = argparse.ArgumentParser(description="Check the folder dependency rules.")
    parser.add_argument("--source", default=srctree.default_root(),
                        help="source root (default: the tree this script is in)")
    args = parser.parse_args()
    files = srctree.source_files(args.source)
    broken = 0
    for user, line, target in srctree.include_edges(args.source, files):
        why = broken_rule(user, target)
        if why is not None:
            print('%s:%d: #include "%s" (%s): %s'
                  % (user, line, os.path.basename(target), target, why))
            broken += 1
    if broken:
        print("%d includes break the folder rules" % broken)
        return 1
    print("folder rules kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
