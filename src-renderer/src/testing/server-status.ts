// The server store as a running server would leave it, for component and store tests that need a
// server up without starting one (the fake api runs no engine).
import { DEFAULT_ENGINE_CONFIG } from '../../../src-shared/engine-config'
import type { SessionQuery } from '../../../src-shared/sessions'
import { useServerStore } from '../stores/server'
import type { FakeApi } from './fake-api'

/** Marks the active Pinia's server store as running: epoll, 127.0.0.1:9100, 2 workers. */
export function markServerRunning(): void {
  useServerStore().status = {
    state: 'running',
    config: DEFAULT_ENGINE_CONFIG,
    info: { backend: 'epoll', host: '127.0.0.1', port: 9100, workers: 2, features: [] },
    startedAt: 1,
    lastError: null,
  }
}

/** The session-table queries a test's fake api was asked, in order. */
export const askedSessions = (api: FakeApi) => api.calls.filter((c) => c.method === 'sessions').map((c) => c.arg as SessionQuery)
