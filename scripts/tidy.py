#!/usr/bin/env python3
"""tidy.py — the project's mechanical style check over its own C sources.

Fails (exit 1, one `file:line: problem` a line) on a function longer than 70 lines (from
the first line of its declaration to its closing brace), a line longer than 100 columns,
or a call to an unbounded or unchecked libc routine (strcpy, sprintf, atoi, ...); with
--asserts, also on a function in the given folders without an assert() (programmer errors
are assertions that stay on in release builds) unless its body says why not in a comment
`/* no assert: <why> */`. It is not a formatter, a parser or a linter of meaning: a
brace-matching scan with comments, strings and preprocessor lines blanked out is all it
needs.

Usage: tidy.py [ROOT | FILE...] [--asserts DIR...]   (default ROOT: the tree this script
                                 lives in; each DIR is relative to ROOT)
       tidy.py --self-test        (checks the scanner on tricky sources)
"""
import bisect
import os
import re
import sys

FUNCTION_LINES_MAX = 70
LINE_COLUMNS_MAX = 100
TAB_COLUMNS = 8
SOURCE_DIRS = ("base", "schemas", "state", "connectors", "processor", "bench", "tests")
BANNED = {
    "strcpy": "unbounded copy: use snprintf or memcpy with a checked length",
    "strcat": "unbounded append: use snprintf with a checked length",
    "sprintf": "unbounded format: use snprintf",
    "vsprintf": "unbounded format: use vsnprintf",
    "gets": "unbounded read: use fgets",
    "atoi": "unchecked conversion: use strtol and check the end and range",
    "atol": "unchecked conversion: use strtol and check the end and range",
    "atoll": "unchecked conversion: use strtoll and check the end and range",
}
BANNED_RE = re.compile(r"(?<![\w.>])(" + "|".join(sorted(BANNED)) + r")\s*\(")
ASSERT_RE = re.compile(r"(?<![\w.>])assert\s*\(")
NO_ASSERT_RE = re.compile(r"/\*\s*no assert:\s*\S.*?\*/", re.S)


def code_only(text):
    """text with comments, string and character literals and preprocessor lines replaced
    by spaces; newlines are kept, so offsets and line numbers still match the source."""
    out = list(text)
    i, n = 0, len(text)
    line_start = True  # only whitespace seen since the last newline
    while i < n:
        c = text[i]
        if c == "\n":
            line_start = True
            i += 1
            continue
        if line_start and c == "#":
            # A directive runs to the first newline not escaped by a backslash; comments
            # inside it are blanked with it.
            while i < n and not (text[i] == "\n" and text[i - 1] != "\\"):
                if text[i] != "\n":
                    out[i] = " "
                i += 1
            continue
        if c in " \t\r\f\v":
            i += 1
            continue
        line_start = False
        if text.startswith("//", i):
            while i < n and not (text[i] == "\n" and text[i - 1] != "\\"):
                if text[i] != "\n":
                    out[i] = " "
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            for j in range(i, end):
                if text[j] != "\n":
                    out[j] = " "
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            end = min(j + 1, n)
            # Keep the quotes so `"a" "b"` stays two tokens; blank what is between.
            for k in range(i + 1, end - 1):
                if text[k] != "\n":
                    out[k] = " "
            i = end
        else:
            i += 1
    return "".join(out)


def line_starts(text):
    """Offsets at which each line of text starts, for line_of."""
    return [0] + [m.end() for m in re.finditer("\n", text)]


def line_of(starts, offset):
    """1-based line number of offset, given line_starts of its text."""
    return bisect.bisect_right(starts, offset)


def functions(code):
    """(name, first_line, last_line) of each function definition in code (as returned by
    code_only): a top-level `{` whose declaration ends in `)` (or in `) attribute`)."""
    found = []
    starts = line_starts(code)
    depth = 0
    decl_start = None  # offset of the first code character after the last top-level end
    open_at = None
    header = None
    for i, c in enumerate(code):
        if depth == 0:
            if c in ";}":
                decl_start = None
                continue
            if decl_start is None and not c.isspace():
                decl_start = i
        if c == "{":
            if depth == 0:
                header = code[decl_start if decl_start is not None else i:i]
                open_at = decl_start if decl_start is not None else i
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
            if depth == 0 and header is not None:
                m = re.search(r"(\w+)\s*\((?:[^()]|\([^()]*\))*\)\s*$", header)
                if m and not re.search(r"=\s*$|\b(struct|union|enum)\s+\w*\s*$", header):
                    found.append((m.group(1), line_of(starts, open_at),
                                  line_of(starts, i)))
                header = None
                decl_start = None
    return found


def missing_asserts(text, code):
    """(line, message) for each function of text (code: its code_only) whose body has
    neither an assert() nor a `/* no assert: <why> */` comment."""
    problems = []
    starts = line_starts(code)
    for name, first, last in functions(code):
        begin, end = starts[first - 1], starts[last] if last < len(starts) else len(code)
        if ASSERT_RE.search(code, begin, end) or NO_ASSERT_RE.search(text[begin:end]):
            continue
        problems.append((first, "function %s has no assert (or /* no assert: <why> */)"
                         % name))
    return problems


def check_text(path, text, asserts=False):
    """Problems of one source file, as (line, message) pairs; asserts: also report
    functions without an assert."""
    problems = []
    for number, line in enumerate(text.split("\n"), 1):
        columns = len(line.rstrip("\r\n").expandtabs(TAB_COLUMNS))
        if columns > LINE_COLUMNS_MAX:
            problems.append((number, "line is %d columns (max %d)"
                             % (columns, LINE_COLUMNS_MAX)))
    code = code_only(text)
    for name, first, last in functions(code):
        length = last - first + 1
        if length > FUNCTION_LINES_MAX:
            problems.append((first, "function %s is %d lines (max %d)"
                             % (name, length, FUNCTION_LINES_MAX)))
    starts = line_starts(code)
    for m in BANNED_RE.finditer(code):
        problems.append((line_of(starts, m.start()), "%s(): %s"
                         % (m.group(1), BANNED[m.group(1)])))
    if asserts:
        problems += missing_asserts(text, code)
    return sorted(problems)


def source_files(root, dirs=SOURCE_DIRS):
    for top in dirs:
        for folder, dirs, files in os.walk(os.path.join(root, top)):
            dirs.sort()
            for name in sorted(files):
                if name.endswith((".c", ".h")):
                    yield os.path.join(folder, name)


def body_lines(count):
    return "".join("    x += %d;\n" % k for k in range(count))


# (name, source, expected problems as (line, first word of the message)).
SELF_TESTS = [
    ("70-line function passes", "int f(void) {\n" + body_lines(68) + "}\n", []),
    ("71-line function fails", "int f(void) {\n" + body_lines(69) + "}\n",
     [(1, "function")]),
    ("counted from the declaration's first line",
     "static int\nf(int a,\n  int b) {\n" + body_lines(67) + "}\n", [(1, "function")]),
    ("braces in strings, characters and comments",
     'int f(void) {\n    g("}}{", \'}\', \'\\\'\', "\\"}");\n    /* } */ // }\n'
     + body_lines(66) + "}\n", []),
    ("macro with braces, struct and initializer are not functions",
     "#define M(x) do { \\\n  } } while (0)\nstruct s { int a; };\n"
     "static const int t[] = {\n" + body_lines(80).replace(";", ",") + "};\n", []),
    ("101 columns fail, 100 pass",
     "/*" + "x" * 96 + "*/\n" + "/*" + "x" * 97 + "*/\n", [(2, "line")]),
    ("banned calls in code only",
     'void f(char *d) {\n    sprintf(d, "x");\n    n = atoi (d);\n'
     '    snprintf(d, 2, "sprintf(");\n    fgets(d, 2, stdin); s.atoi(d);\n'
     "    /* strcpy(d, d) */\n}\n", [(2, "sprintf():"), (3, "atoi():")]),
    ("criterion test macro is a function",
     "Test(suite, name, .init = setup) {\n" + body_lines(70) + "}\n", [(1, "function")]),
]

# The same, checked with --asserts.
ASSERT_SELF_TESTS = [
    ("function with an assert passes",
     "static int\nf(int a) {\n    assert(a > 0);\n    return a;\n}\n", []),
    ("function without one fails, at its first line",
     "int g(void) { return 1; }\n\nstatic int\nf(int a) {\n    return a;\n}\n",
     [(1, "function"), (3, "function")]),
    ("assert in a comment, a string or a longer name does not count",
     'int f(int a) {\n    /* assert(a) */ g("assert(a)");\n    my_assert(a);\n'
     "    _Static_assert(1, \"x\");\n}\n", [(1, "function")]),
    ("an opt-out needs a reason and must be inside the function",
     "/* no assert: outside */\nint f(void) { return 1; }\n"
     "int g(void) { /* no assert: */ return 1; }\n"
     "int h(void) { /* no assert: a getter */ return 1; }\n",
     [(2, "function"), (3, "function")]),
]


def self_test():
    failed = 0
    for name, source, expected in SELF_TESTS:
        got = [(line, message.split()[0]) for line, message in check_text(name, source)]
        if got != expected:
            print("self-test %r: expected %r, got %r" % (name, expected, got))
            failed += 1
    for name, source, expected in ASSERT_SELF_TESTS:
        got = [(line, message.split()[0])
               for line, message in check_text(name, source, asserts=True)]
        if got != expected:
            print("self-test %r: expected %r, got %r" % (name, expected, got))
            failed += 1
    total = len(SELF_TESTS) + len(ASSERT_SELF_TESTS)
    print("tidy self-test: %d of %d cases pass" % (total - failed, total))
    return 1 if failed else 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    args = argv[1:]
    assert_dirs = []
    if "--asserts" in args:
        at = args.index("--asserts")
        args, assert_dirs = args[:at], args[at + 1:]
        if not assert_dirs:
            print("tidy: --asserts needs at least one folder", file=sys.stderr)
            return 2
    args = args or [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
    if len(args) == 1 and os.path.isdir(args[0]):
        root = args[0]
        paths = list(source_files(root))
    else:
        root = os.getcwd()
        paths = args
    asserted = set()
    for folder in assert_dirs:
        folder = os.path.join(root, folder)
        if not os.path.isdir(folder):
            print("tidy: --asserts: no folder %s" % folder, file=sys.stderr)
            return 2
        asserted.update(os.path.normpath(p) for p in source_files(root, [folder]))
    paths += sorted(asserted - set(os.path.normpath(p) for p in paths))
    count = 0
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        shown = os.path.relpath(path, root) if path.startswith(root) else path
        asserts = os.path.normpath(path) in asserted
        for line, message in check_text(path, text, asserts):
            print("%s:%d: %s" % (shown, line, message))
            count += 1
    if count:
        print("tidy: %d problem%s in %d files" % (count, "" if count == 1 else "s",
                                                  len(paths)), file=sys.stderr)
        return 1
    print("tidy: %d files clean" % len(paths))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
