#!/usr/bin/env bash
# Records the current public API of every shipped library in its PublicAPI.Unshipped.txt, from the build's own
# PublicApiAnalyzers diagnostics: RS0016 (a public symbol the files do not list) adds the line, RS0017 (a listed
# symbol that is gone) removes it from Unshipped, or marks it *REMOVED* when it had shipped. Run it after changing
# a public API on purpose (or after a merge), then review the diff of the PublicAPI.*.txt files.
#
#   eng/update-public-api.sh [path/to/Project.csproj ...]     (default: every shipped library under src/)
#
# Creates the two files (with "#nullable enable") for a new project that has none. Exits non-zero if the project
# still does not build, or still reports RS0016/RS0017, after the update.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -eq 0 ]; then
  set --
  # IoSys first: the others reference it, and their check build needs its files current.
  for p in src/IoSys/IoSys.csproj $(ls src/*/*.csproj | grep -v '^src/IoSys/IoSys.csproj$'); do
    # Shipped libraries: packable, not a tool, not a Roslyn component (the analyzers ship inside IoSys).
    grep -qE '<IsPackable>false</IsPackable>|<PackAsTool>true</PackAsTool>|<IsRoslynComponent>true</IsRoslynComponent>' "$p" || set -- "$@" "$p"
  done
fi

rc=0
for project in "$@"; do
  dir=$(dirname "$project")
  for f in PublicAPI.Shipped.txt PublicAPI.Unshipped.txt; do
    [ -f "$dir/$f" ] || printf '#nullable enable\n' >"$dir/$f"
  done
  log=$(mktemp)
  # Warnings not errors, so every symbol is reported in one build; --no-incremental so none is missed.
  dotnet build "$project" -c Release --no-incremental -nologo -clp:NoSummary \
    -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= -warnAsMessage:RS0037 >"$log" 2>&1 || true
  python3 - "$dir" "$log" "$(realpath "$project")" <<'PY'
import re, sys
folder, log, project = sys.argv[1], sys.argv[2], sys.argv[3]
added, removed = set(), set()
for line in open(log, encoding="utf-8", errors="replace"):
    # A build also compiles the projects this one references: take only this project's own diagnostics.
    if f"[{project}]" not in line and f"[{project}::" not in line: continue
    m = re.search(r"RS0016: Symbol '(.+)' is not part of the declared public API", line)
    if m: added.add(m.group(1))
    m = re.search(r"RS0017: Symbol '(.+)' is part of the declared API, but is either not public or could not be found", line)
    if m: removed.add(m.group(1))
def read(name):
    with open(f"{folder}/{name}", encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f]
shipped, unshipped = read("PublicAPI.Shipped.txt"), read("PublicAPI.Unshipped.txt")
header = [l for l in unshipped if l.startswith("#")] or ["#nullable enable"]
body = [l for l in unshipped if l and not l.startswith("#") and l not in removed]
body += [f"*REMOVED*{s}" for s in sorted(removed) if s in shipped and f"*REMOVED*{s}" not in body]
body += [s for s in sorted(added) if s not in body]
with open(f"{folder}/PublicAPI.Unshipped.txt", "w", encoding="utf-8") as f:
    f.write("\n".join(header + sorted(set(body), key=lambda s: s.removeprefix("*REMOVED*"))) + "\n")
print(f"{folder}: +{len(added)} -{len(removed)}")
PY
  rm -f "$log"
  # Check: the build now passes with warnings as errors.
  if ! out=$(dotnet build "$project" -c Release -nologo 2>&1); then
    echo "$out" | grep -E 'error' | sort -u | head -n 20 >&2
    echo "error: $project does not build after the update" >&2
    rc=1
  fi
done
exit $rc
