#!/usr/bin/env bash
# Windows C++ suite, run here under Wine: cross-compiles native/win/bin/iocp-tests.exe (engine core
# + IOCP backend + load generator + doctest tests) with mingw-w64 and runs it (the generator's
# tests against the engine). The product on Windows is tested by tests/windows/ (the addon in
# Windows Node) and the wine vitest/playwright configs.
# Last line: `windows: N passed, N failed` (doctest test cases); exit 1 on failure.
set -u -o pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exe="$here/bin/iocp-tests.exe"
started=$(date +%s)
passed=0
failed=0

finish() {
  echo "windows: $passed passed, $failed failed ($(( $(date +%s) - started )) s)" >&2
  echo "windows: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

for tool in x86_64-w64-mingw32-g++-posix wine wineserver node; do
  if ! command -v "$tool" >/dev/null; then
    echo "missing $tool (apt-get install -y g++-mingw-w64-x86-64 wine64 doctest-dev; Node 20)" >&2
    failed=1
    finish
  fi
done

echo "== build (mingw-w64)" >&2
if ! make -C "$here" -j"$(nproc)" >&2; then
  failed=1
  finish
fi

# A private, throw-away prefix: nothing leaks between runs, and wineserver is this run's own.
WINEPREFIX="$(mktemp -d)"
export WINEPREFIX WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="  # no Mono/Gecko install prompts
cleanup() {
  # The prefix's wineserver lingers a few seconds after its last process; wait for it (or stop
  # it, which only touches this prefix) before removing the prefix.
  timeout 15 wineserver -w 2>/dev/null || wineserver -k 2>/dev/null
  rm -rf "$WINEPREFIX"
}
trap cleanup EXIT

echo "== doctest under wine (first start initialises the prefix, ~10 s)" >&2
log="$(mktemp)"
timeout 150 wine "$exe" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
summary="$(grep -E '^\[doctest\] test cases:' "$log" | tail -1)"
rm -f "$log"
if [[ "$summary" =~ \|[[:space:]]*([0-9]+)[[:space:]]passed[[:space:]]*\|[[:space:]]*([0-9]+)[[:space:]]failed ]]; then
  passed=$((passed + BASH_REMATCH[1]))
  failed=$((failed + BASH_REMATCH[2]))
  # A crash after the summary, or a non-zero exit with no failed case, is still a failure.
  if [ "$rc" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then failed=$((failed + 1)); fi
else
  echo "iocp-tests.exe ended without a doctest summary (exit $rc)" >&2
  failed=$((failed + 1))
fi

finish
