#!/usr/bin/env bash
# Coverage-guided fuzzing of the tool's parsers and the libraries' (trace text, sysfs files, SVD): SharpFuzz instruments
# IoSys.Cli, IoSys.Simulation, IoSys.Linux and IoSys.Registers, AFL++ drives the harness for a
# bounded time per target, starting from the corpus kept here (corpus/TARGET). A crash (an exception other than the
# tool's UsageException, or a broken invariant) fails the run; its inputs are saved under $OUT/TARGET/crashes.
#   bash tests/IoSys.Cli.Fuzz.Afl/run.sh [SECONDS_PER_TARGET]     (default 60; needs afl++ and the sharpfuzz tool)
# Ends with one line: "afl: N passed, N failed, 0 skipped" (one per target), which .ci/run adds to its totals.
# To grow the corpus after a long local run: afl-cmin -i $OUT/TARGET/default/queue -o corpus/TARGET -- dotnet ... TARGET
set -uo pipefail
cd "$(dirname "$0")"
here=$PWD
seconds=${1:-60}
out=${IOSYS_AFL_OUT:-$here/../../artifacts/ci/afl}
tools=$here/../../artifacts/tools
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

if ! command -v afl-fuzz >/dev/null; then
  as_root timeout 300 apt-get install -y -qq --no-install-recommends afl++ >/dev/null || { echo "afl: cannot install afl++"; echo "afl: 0 passed, 1 failed, 0 skipped"; exit 1; }
fi
if [ ! -x "$tools/sharpfuzz" ]; then
  timeout 300 dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null || { echo "afl: cannot install sharpfuzz"; echo "afl: 0 passed, 1 failed, 0 skipped"; exit 1; }
fi

timeout 900 dotnet build -c Release -o "$out/bin" >/dev/null || { echo "afl: build failed"; echo "afl: 0 passed, 1 failed, 0 skipped"; exit 1; }
# Instrument only the code under test (the harness and the runtime stay as they are).
for dll in IoSys.Cli IoSys.Simulation IoSys.Linux IoSys.Registers; do
  "$tools/sharpfuzz" "$out/bin/$dll.dll" >/dev/null || { echo "afl: instrumentation of $dll failed"; echo "afl: 0 passed, 1 failed, 0 skipped"; exit 1; }
done

export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
passed=0 failed=0
# The library parsers (trace text, sysfs files, SVD) get a quarter of the time each (15 s of 60): with AFL++ start-up,
# the three add about one minute.
for target in number target escape trace sysfs svd; do
  case $target in trace | sysfs | svd) t=$(((seconds + 3) / 4)) ;; *) t=$seconds ;; esac
  rm -rf "$out/$target"
  timeout $((t + 120)) afl-fuzz -V "$t" -t 5000 -m none -i "corpus/$target" -o "$out/$target" \
    -- dotnet "$out/bin/IoSys.Cli.Fuzz.Afl.dll" "$target" >"$out/$target.log" 2>&1
  rc=$?
  stats=$out/$target/default/fuzzer_stats
  execs=$(sed -nE 's/^execs_done +: ([0-9]+)/\1/p' "$stats" 2>/dev/null)
  corpus=$(sed -nE 's/^corpus_count +: ([0-9]+)/\1/p' "$stats" 2>/dev/null)
  crashes=$(find "$out/$target/default/crashes" -type f -name 'id*' 2>/dev/null | wc -l)
  if [ -z "$execs" ] || [ "$rc" -ne 0 ]; then
    echo "afl: $target: afl-fuzz did not run (exit $rc; see $out/$target.log)"; failed=$((failed + 1))
  elif [ "$crashes" -gt 0 ]; then
    echo "afl: $target: $crashes crashing input(s) saved in $out/$target/default/crashes ($execs executions)"; failed=$((failed + 1))
  else
    echo "afl: $target: $execs executions in ${t}s, corpus $corpus, 0 crashes"; passed=$((passed + 1))
  fi
done
echo "afl: $passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
