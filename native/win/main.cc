// iocp-tests.exe: the engine's Windows test program (doctest), built from the same core sources as
// the addon: the conformance scenarios (tests/conformance/) on IOCP and the IOCP-only tests. What
// a Windows user runs — the addon in Windows Node, the CLI, the dashboard — is tested through the
// product itself (tests/windows/, vitest.wine.config.ts, playwright.wine.config.ts).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest.h>
