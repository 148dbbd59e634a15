#!/usr/bin/env python3
"""cycles.py BUILD_DIR [--source DIR]: lists the cycles between switchyard's files.
A .c file depends on another when it uses a symbol defined there (nm on the objects of
BUILD_DIR/libswitchyard.a.p); a header depends on the headers it #includes. Prints each
group of files that depend on each other in a circle, with the symbols or includes that
close it, and exits 1; prints "no cycles" and exits 0 otherwise. Folder rules are
folder_rules.py's job.
"""
import argparse
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
import srctree  # noqa: E402

LIBRARY = "libswitchyard.a"
LIBRARY_OBJECT_DIR = LIBRARY + ".p"


def library_objects(build_dir):
    """Object file names in the library archive (not stale objects of removed files)."""
    out = subprocess.run(["ar", "t", os.path.join(build_dir, LIBRARY)], check=True,
                         capture_output=True, text=True)
    return sorted({os.path.basename(line) for line in out.stdout.split()})


def object_sources(build_dir, files):
    """Map object file name -> source path; meson names an object after its path with
    '/' turned into '_'. Objects of generated sources keep their object name."""
    by_object = {path.replace("/", "_") + ".o": path for path in files if path.endswith(".c")}
    return {name: by_object.get(name, "(generated) " + name)
            for name in library_objects(build_dir)}


def object_symbols(path):
    """(defined, undefined) symbol sets of one object file, from nm's POSIX output."""
    out = subprocess.run(["nm", "-P", path], check=True, capture_output=True, text=True)
    defined, undefined = set(), set()
    for line in out.stdout.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        name, kind = fields[0], fields[1]
        if kind == "U":
            undefined.add(name)
        elif kind.isupper():
            defined.add(name)
    return defined, undefined


def call_edges(build_dir, files):
    """Map (user file, defining file) -> sorted symbols the user takes from the definer."""
    object_dir = os.path.join(build_dir, LIBRARY_OBJECT_DIR)
    sources = object_sources(build_dir, files)
    symbols = {src: object_symbols(os.path.join(object_dir, obj))
               for obj, src in sources.items()}
    definer = {}
    for src, (defined, _) in symbols.items():
        for name in defined:
            definer[name] = src
    edges = {}
    for src, (_, undefined) in symbols.items():
        for name in undefined:
            target = definer.get(name)
            if target is not None and target != src:
                edges.setdefault((src, target), []).append(name)
    return {key: sorted(names) for key, names in edges.items()}


def strongly_connected(nodes, successors):
    """Tarjan's components of the graph, iteratively; each component as a sorted list."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(successors.get(start, ())))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(successors.get(child, ()))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return components


def print_cycle(number, component, reasons):
    """One cycle: its files, then every dependency between two of them and why."""
    members = set(component)
    print("cycle %d: %d files" % (number, len(component)))
    for path in component:
        print("  " + path)
    print("  closed by:")
    for (user, target), why in sorted(reasons.items()):
        if user in members and target in members:
            print("    %s -> %s: %s" % (user, target, ", ".join(why)))


def main():
    parser = argparse.ArgumentParser(description="List the cycles between files.")
    parser.add_argument("build_dir", help="a configured and built switchyard build tree")
    parser.add_argument("--source", default=srctree.default_root(),
                        help="source root (default: the tree this script is in)")
    args = parser.parse_args()
    files = srctree.source_files(args.source)
    reasons = call_edges(args.build_dir, files)
    for user, line, target in srctree.include_edges(args.source, files):
        if user.endswith(".h") and user != target:
            reasons.setdefault((user, target), []).append(
                '#include "%s" (line %d)' % (os.path.basename(target), line))
    successors = {}
    for user, target in reasons:
        successors.setdefault(user, []).append(target)
    nodes = sorted(set(successors) | {t for ts in successors.values() for t in ts})
    cycles = [c for c in strongly_connected(nodes, successors) if len(c) > 1]
    for number, component in enumerate(sorted(cycles), 1):
        print_cycle(number, component, reasons)
    if cycles:
        print("%d cycles" % len(cycles))
        return 1
    print("no cycles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
