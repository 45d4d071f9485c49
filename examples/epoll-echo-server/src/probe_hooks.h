/*
 * probe_hooks.h — the one switch between the instrumented server and the bare one.
 *
 * Every probe call in this example is written PROBE(iocpm_...(...)). A normal build includes the
 * IOCP Monitor probe (native/probe/iocpm_probe.h) and PROBE(x) is just x. Built with
 * -DIOCPM_NO_PROBE, PROBE(x) expands to nothing: not even the arguments are evaluated, so the
 * bare binary is the same server minus the probe, which is what the overhead benchmark
 * (bench/probe-overhead.mjs) compares against.
 */
#ifndef EPOLL_ECHO_PROBE_HOOKS_H
#define EPOLL_ECHO_PROBE_HOOKS_H

#ifdef IOCPM_NO_PROBE
typedef struct iocpm_probe iocpm_probe; /* only ever a NULL pointer in this build */
#define PROBE(call) ((void)0)
#else
#include "iocpm_probe.h"
#define PROBE(call) ((void)(call))
#endif

#endif
