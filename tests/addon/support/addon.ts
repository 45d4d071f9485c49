// Loads the real addon for tests and finds out which backends this host can run.
import { loadAddon, resolveAddonPath } from '../../../src-main/addon/load-addon'
import type { NativeAddon, NativeStartError } from '../../../src-main/addon/native-addon'
import { freePort } from './net'

export const addon: NativeAddon = loadAddon()
/** The file it was loaded from. */
export const addonPath: string = resolveAddonPath()

/** null when `backend` starts here, otherwise why not (e.g. io_uring disabled by the kernel). */
export async function backendUnavailable(backend: 'iouring' | 'epoll'): Promise<string | null> {
  const engine = new addon.Engine()
  try {
    await engine.start({ host: '127.0.0.1', port: await freePort(), workers: 1, backend })
    return null
  } catch (err) {
    const e = err as NativeStartError
    return `${backend} unavailable: ${e.code ?? ''} ${e.message}`
  } finally {
    await engine.stop()
  }
}
