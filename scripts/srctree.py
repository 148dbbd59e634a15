"""srctree.py: the source files of switchyard and the #include "..." lines between them,
shared by cycles.py and folder_rules.py. It reads the tree only; it knows no rule and
builds nothing. A header is found by its basename (every basename is unique in the tree).
"""
import os
import re

# The folders that hold the program, its library and its benchmarks; tests are not scanned.
SOURCE_TOP_DIRS = ("base", "schemas", "state", "connectors", "processor", "bench")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def default_root():
    """The source root this script lives in (scripts/..)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def source_files(root):
    """Every .c and .h file under SOURCE_TOP_DIRS, as sorted paths relative to root."""
    found = []
    for top in SOURCE_TOP_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in filenames:
                if name.endswith((".c", ".h")):
                    found.append(os.path.relpath(os.path.join(dirpath, name), root))
    return sorted(found)


def includes_of(root, path):
    """The (line number, header name) pairs of the #include "..." lines of one file."""
    result = []
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            match = INCLUDE_RE.match(line)
            if match:
                result.append((number, match.group(1)))
    return result


def header_paths(files):
    """Map header basename -> its path relative to root; a name found twice maps to None."""
    paths = {}
    for path in files:
        if path.endswith(".h"):
            name = os.path.basename(path)
            paths[name] = None if name in paths else path
    return paths


def include_edges(root, files):
    """(file, line number, included file path) for every include that names a tree header."""
    headers = header_paths(files)
    edges = []
    for path in files:
        for number, name in includes_of(root, path):
            target = headers.get(os.path.basename(name))
            if target is not None:
                edges.append((path, number, target))
    return edges
