#!/usr/bin/env bash
# Builds the API reference and guide site (docfx) and checks it in headless Chromium.
#
#   eng/build-site.sh [--no-browser]
#
# 1. builds the three libraries (docfx reads their assemblies and XML docs), 2. `docfx metadata`, 3. the example
# check (eng/site-examples.py: every public type and member has an example or a guide link), 4. `docfx build
# --warningsAsErrors` (a broken link, #anchor or <xref> fails), 5. serves the site on 127.0.0.1 and, in headless
# Chromium (Debian's chromium), renders the home page, the IoSysMap API page and a guide page: screenshots in
# artifacts/site/screenshots/, and the text of each page (after its scripts ran) must contain what it should.
# Output: artifacts/site/_site. Ends with "site: N passed, N failed, N skipped" (one check per step and page);
# exits non-zero if any failed. Every step is bounded in time.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
out=artifacts/site
shots=$out/screenshots
mkdir -p "$shots"
passed=0 failed=0 skipped=0
check() { # NAME COMMAND...: one counted check
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "site: PASS $name"; else failed=$((failed + 1)); echo "site: FAIL $name"; return 1; fi
}
finish() { echo "site: $passed passed, $failed failed, $skipped skipped"; [ "$failed" -eq 0 ]; exit $?; }

build_libraries() {
  local p
  for p in src/IoSys/IoSys.csproj src/IoSys.Linux/IoSys.Linux.csproj src/IoSys.Simulation/IoSys.Simulation.csproj; do
    timeout 900 dotnet build "$p" -c Release -nologo -v quiet || return 1
  done
}
check "tool restore (docfx)" timeout 300 dotnet tool restore
check "build the libraries" build_libraries || finish
rm -rf site/api/*.yml site/api/.manifest
check "docfx metadata" timeout 600 dotnet docfx metadata site/docfx.json || finish
check "every public type and member has an example or a guide link" python3 eng/site-examples.py
rm -rf "$out/_site"
check "docfx build --warningsAsErrors" timeout 900 dotnet docfx build site/docfx.json --warningsAsErrors || finish

[ "${1:-}" = "--no-browser" ] && { skipped=$((skipped + 3)); finish; }

# Headless Chromium against the site served on loopback (the template's scripts fetch JSON, which file:// forbids).
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "site: chromium is not installed (apt-get install chromium)"; failed=$((failed + 3)); finish
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$out/_site" >"$out/http.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null' EXIT
for _ in $(seq 50); do python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break; sleep 0.2; done
profile=$(mktemp -d)
chrome() { # flags that work on this machine (no sandbox as root, no background network, a fresh profile)
  timeout 300 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$profile" --window-size=1280,1100 --virtual-time-budget=5000 "$@" 2>>"$out/chromium.log"
}
page() { # NAME PATH TEXT...: screenshot, then the rendered text must contain every TEXT
  local name=$1 path=$2; shift 2
  local url="http://127.0.0.1:$port/$path" dom="$out/$name.html" t
  # One retry: on a loaded machine headless Chromium has been seen to exit early on the largest API page.
  chrome --screenshot="$shots/$name.png" "$url" >/dev/null || chrome --screenshot="$shots/$name.png" "$url" >/dev/null \
    || { echo "site: chromium failed twice on $url"; return 1; }
  [ -s "$shots/$name.png" ] || { echo "site: no screenshot of $url"; return 1; }
  chrome --dump-dom "$url" >"$dom" || chrome --dump-dom "$url" >"$dom" || { echo "site: chromium could not dump $url"; return 1; }
  for t in "$@"; do
    grep -qF -- "$t" "$dom" || { echo "site: $url does not show: $t"; return 1; }
  done
}
check "home page renders" page home index.html \
  "Safe, typed, fast access to memory-mapped I/O" "IoSys.Linux" 'href="api/IoSys.IoSysMap.html"'
check "IoSysMap API page renders, with its example and guide links" page api-iosysmap api/IoSys.IoSysMap.html \
  "Class IoSysMap" "Read32(long)" "4096 bytes of zeroed system memory" "Shown in use in the guide"
check "guide page renders, with the navigation" page guide-design docs/design.html \
  "Conventions that everything follows" "Offsets, never addresses" "API reference"
rm -rf "$profile"
echo "site: screenshots in $shots"
finish
