#!/usr/bin/env python3
"""Every public type and member of the API reference shows an example or links to a guide section that shows it.

Reads the API metadata docfx generated (site/api/*.yml) and:
  1. takes the hand-written examples in site/examples/*.md (docfx overwrite files keyed by UID, with code; the code
     is compiled by tests/IoSys.Site.Tests);
  2. for every other public UID, looks for a guide section (docs/*.md, split at headings) whose code (fenced blocks
     or inline `code`) uses the member's name, preferring a section that also names its type, and writes a docfx
     overwrite file (site/generated/guide-links.md) that adds "Shown in use in the guide: <link>" as its example;
     failing that, for a hand-written example of the member's own type (or of another member of it) whose code uses
     the member (its name; for operators, constructors, indexers, deconstruction, Dispose and the members records
     synthesize, the syntax that calls them: `==`, `new T(`, `[T(`, `x[i]`, `var (a, b) =`, `using`), and links to it;
  3. lists what has none. Any public TYPE without one fails; a MEMBER without one fails unless it is on the list
     of known gaps, site/examples/uncovered-members.txt (a ratchet: the list may only shrink; --update-baseline
     rewrites it, for review). docfx then checks every generated link and #anchor (--warningsAsErrors).

Usage: eng/site-examples.py [--update-baseline]      (after `docfx metadata site/docfx.json`)
"""
import glob, os, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE = os.path.join(ROOT, "site")
OUT = os.path.join(SITE, "generated")
BASELINE = os.path.join(SITE, "examples", "uncovered-members.txt")
TYPE_KINDS = {"Class", "Struct", "Interface", "Enum", "Delegate"}
MEMBER_KINDS = {"Method", "Property", "Field", "Event", "Constructor", "Operator"}


def api_items():
    """(uid, kind, name, parent) of every public type and member docfx documented (no inherited members)."""
    items = []
    for path in sorted(glob.glob(os.path.join(SITE, "api", "*.yml"))):
        text = open(path, encoding="utf-8").read()
        body = text.split("\nreferences:\n", 1)[0]
        for block in re.split(r"\n- uid: ", "\n" + body.split("\nitems:\n", 1)[-1])[1:]:
            uid = block.split("\n", 1)[0].strip()
            kind = re.search(r"^  type: (\w+)", block, re.M)
            name = re.search(r"^  name: (.+)$", block, re.M)
            parent = re.search(r"^  parent: (.+)$", block, re.M)
            if kind and kind.group(1) in TYPE_KINDS | MEMBER_KINDS:
                items.append((uid, kind.group(1), name.group(1).strip().strip("'\"") if name else uid,
                              parent.group(1).strip() if parent else ""))
    return items


def slug(heading, seen):
    """The anchor markdig (GitHub style, as docfx uses) gives a heading."""
    s = re.sub(r"[`*_\[\]()]", "", heading).strip().lower()
    s = re.sub(r"[^\w\- ]", "", s).replace(" ", "-")
    n = seen.get(s, 0)
    seen[s] = n + 1
    return s if n == 0 else f"{s}-{n}"


def guide_sections():
    """(file, anchor, title, code text, all text) of every section of docs/*.md."""
    sections = []
    # Guides first, the measurements last: the first section that uses a member is the one linked.
    order = ["design", "mapping", "targets", "simulation", "compile-time", "platforms", "cli", "packaging", "benchmarks"]
    rank = lambda p: (order.index(os.path.basename(p)[:-3]) if os.path.basename(p)[:-3] in order else len(order), p)
    for path in sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")), key=rank):
        lines = open(path, encoding="utf-8").read().split("\n")
        seen, current, fence = {}, None, False
        for line in lines:
            if line.startswith("```"):
                fence = not fence
            m = None if fence else re.match(r"^(#{1,6}) +(.+?) *#*$", line)
            if m:
                current = {"file": path, "anchor": slug(m.group(2), seen), "title": m.group(2).replace("`", ""), "code": [], "text": []}
                sections.append(current)
                continue
            if current is None:
                continue
            current["text"].append(line)
            if fence and not line.startswith("```"):
                current["code"].append(line)
            else:
                current["code"].extend(re.findall(r"`([^`]+)`", line))
    for s in sections:
        s["code"], s["text"] = "\n".join(s["code"]), "\n".join(s["text"])
    return sections


def simple_name(name, kind):
    n = re.sub(r"\(.*$", "", name)          # Read32(long) -> Read32
    n = re.sub(r"<.*$", "", n)              # Read<T> -> Read
    return n.split(".")[-1]


def example_blocks():
    """(uid, code) of every hand-written example: site/examples/*.md, blocks of `---` front matter and markdown."""
    blocks = []
    for path in sorted(glob.glob(os.path.join(SITE, "examples", "*.md"))):
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r"^---\nuid: *(.+?)\n.*?^---\n(.*?)(?=^---\nuid:|\Z)", text, re.M | re.S):
            code = "\n".join(re.findall(r"```csharp\n(.*?)```", m.group(2), re.S))
            blocks.append((m.group(1).strip(), code))
    return blocks


# What calls a member in source, where its name does not appear: operators, constructors, indexers, deconstruction,
# disposal, and what records synthesize (EqualityContract serves Equals and ==; PrintMembers serves ToString).
OPERATORS = {"op_Equality": r"==", "op_Inequality": r"!=", "op_Addition": r"\w \+ \w", "op_Subtraction": r"\w - \w",
             "op_LessThan": r"\w < \w", "op_GreaterThan": r"\w > \w", "op_LessThanOrEqual": r"\w <= \w",
             "op_GreaterThanOrEqual": r"\w >= \w"}


def use_pattern(uid, parent, type_name):
    """A regex that matches code using member `uid` of type `parent` (simple name `type_name`), or None."""
    member = uid[len(parent) + 1:] if uid.startswith(parent + ".") else uid
    base = re.sub(r"\(.*$", "", member)
    if base in OPERATORS:
        return OPERATORS[base]
    if base == "#ctor":
        t = re.escape(re.sub(r"`\d+$", "", type_name))
        short = re.escape(re.sub(r"Attribute$", "", type_name))
        return rf"new\s+{t}\s*[(<]|[\[,]\s*{short}\s*\("
    if base == "Equals":
        return r"\.Equals\("
    if base == "EqualityContract":
        return r"\.Equals\(|==|!="
    if base in ("ToString", "PrintMembers"):
        return r"ToString\(|WriteLine\(\w+\)"
    if base == "GetHashCode":
        return r"GetHashCode\(|HashSet<|Dictionary<"
    if base == "Deconstruct":
        return r"var\s*\(\w+\s*,|\(\s*[\w.<>?]+\s+\w+\s*,[^)]*\)\s*=[^=>]"
    if base == "Dispose":
        return r"\busing\s+(var\s+|[A-Z][\w.<>]*\s+)\w+\s*=|\.Dispose\(\)"
    if base == "Item":
        return r"\w\[[^\]]+\]"
    if base in ("BeginInvoke", "EndInvoke"):
        return None   # a delegate's asynchronous pattern: not supported on .NET (PlatformNotSupportedException)
    if base == "Finalize":
        return r"override void Release\("   # the finalizer's one job: run Release

    return r"(?<![\w])" + re.escape(base) + r"(?![\w])"


def handwritten():
    return {uid for uid, _ in example_blocks()}


def main():
    items = api_items()
    if not items:
        sys.exit("error: no API metadata in site/api: run `dotnet docfx metadata site/docfx.json` first")
    names = {uid: (kind, name) for uid, kind, name, _ in items}
    sections = guide_sections()
    blocks = example_blocks()
    written = {uid for uid, _ in blocks}
    links, shared, missing_types, missing_members = [], [], [], []
    for uid, kind, name, parent in items:
        if uid in written:
            continue
        member = simple_name(name, kind)
        type_name = simple_name(names.get(parent, ("", ""))[1], "") if kind in MEMBER_KINDS else member
        # An attribute is used without its suffix: [Bits(3, 0)] for BitsAttribute.
        used = member[:-len("Attribute")] if kind in TYPE_KINDS and member.endswith("Attribute") else member
        word = re.compile(r"(?<![\w])" + re.escape(used) + r"(?![\w])")
        best = None
        for s in sections:
            if word.search(s["code"]):
                score = 2 if (kind in TYPE_KINDS or re.search(r"(?<![\w])" + re.escape(type_name) + r"(?![\w])", s["text"])) else 1
                if best is None or score > best[0]:
                    best = (score, s)
                if score == 2:
                    break
        example = None
        if kind in MEMBER_KINDS and not (best and best[0] == 2):
            pattern = use_pattern(uid, parent, type_name)
            # An example of the type (or of one of its members) first; then one whose code names the type (not
            # for generic types, whose simple name every map example names).
            named = re.compile(r"(?<![\w.])" + re.escape(type_name) + r"(?![\w])")
            if pattern:
                example = next((b for b, code in blocks if (b == parent or b.startswith(parent + "."))
                                and re.search(pattern, code)), None)
                if example is None and "`" not in parent:
                    example = next((b for b, code in blocks if named.search(code) and re.search(pattern, code)), None)
        if best and (kind in TYPE_KINDS or best[0] == 2):
            links.append((uid, best[1]))
        elif example:
            shared.append((uid, example))
        elif kind in TYPE_KINDS:
            missing_types.append(uid)
        else:
            missing_members.append(uid)

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "guide-links.md"), "w", encoding="utf-8") as f:
        for uid, s in links:
            rel = os.path.relpath(s["file"], OUT).replace(os.sep, "/")
            doc = os.path.splitext(os.path.basename(s["file"]))[0]
            f.write(f"---\nuid: {uid}\nexample:\n- *content\n---\n\nShown in use in the guide: [{doc}: {s['title']}]({rel}#{s['anchor']}).\n\n")
        for uid, example in shared:
            f.write(f"---\nuid: {uid}\nexample:\n- *content\n---\n\nShown in use in the example of <xref:{example}>.\n\n")

    total = len(items)
    print(f"site examples: {total} public types and members; {len(written)} hand-written examples, {len(links)} guide links, "
          f"{len(shared)} members shown in their type's examples, "
          f"{len(missing_types)} types and {len(missing_members)} members without either")
    baseline = set()
    if os.path.exists(BASELINE):
        baseline = {l.strip() for l in open(BASELINE, encoding="utf-8") if l.strip() and not l.startswith("#")}
    if "--update-baseline" in sys.argv:
        with open(BASELINE, "w", encoding="utf-8") as f:
            f.write("# Public members with no example and no guide section that shows them (eng/site-examples.py).\n"
                    "# Known gaps: this list may only shrink. Add an example (site/examples/*.md) or a guide section.\n")
            f.writelines(u + "\n" for u in sorted(missing_members))
        baseline = set(missing_members)
    with open(os.path.join(OUT, "uncovered.txt"), "w", encoding="utf-8") as f:
        f.writelines(u + "\n" for u in sorted(missing_types + missing_members))
    new = [u for u in missing_members if u not in baseline]
    for u in missing_types:
        print(f"error: public type {u} has no example and no guide section that shows it")
    for u in new:
        print(f"error: public member {u} has no example and no guide section that shows it")
    sys.exit(1 if missing_types or new else 0)


main()
