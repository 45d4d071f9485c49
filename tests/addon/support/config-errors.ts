// The engine's config errors, shared by the Linux addon tests (tests/addon/engine.test.ts, vitest)
// and the Windows ones (tests/windows/addon-iocp.test.mts, node:test in Windows Node, which strips
// the types itself: keep this file to erasable TypeScript). Config validation is the same native
// code on every platform (native/src/core/config.cc and the binding), so both run one table.
import type { NativeEngine, NativeStartError } from '../../../src-main/addon/native-addon'

/** Each config the engine must refuse with invalid-config, and the field the error must name. */
export const INVALID_CONFIGS: ReadonlyArray<readonly [config: Record<string, unknown>, field: string]> = [
  [{ port: 0 }, 'port'],
  [{ port: 70_000 }, 'port'],
  [{ port: 'nine thousand' }, 'port'],
  [{ workers: 0 }, 'workers'],
  [{ workers: 65 }, 'workers'],
  [{ host: 'localhost' }, 'host'],
  [{ host: ':::' }, 'host'],
  [{ recvBufferSize: 1 }, 'recvBufferSize'],
  [{ recvBufferSize: 65_536, sendQueueLimit: 65_536 }, 'sendQueueLimit'],
  // The IOCP options are checked on Linux too, so a config means the same on both platforms.
  [{ iocpDequeue: 'bogus' }, 'iocpDequeue'],
  [{ iocpDequeue: 'sometimes' }, 'iocpDequeue'],
  [{ iocpPortLayout: 'per-worker' }, 'iocpPortLayout'],
  [{ iocpPortLayout: 'diagonal' }, 'iocpPortLayout'],
  [{ iocpAcceptPool: 0 }, 'iocpAcceptPool'],
  [{ iocpAcceptPool: 1025 }, 'iocpAcceptPool'],
  [{ iocpAcceptPool: '32' }, 'iocpAcceptPool'],
  // So is the io_uring receive model, on every backend.
  [{ iouringRecv: 'bogus' }, 'iouringRecv'],
  [{ iouringRecv: 'multi' }, 'iouringRecv'],
  [{ iouringRecv: 1 }, 'iouringRecv'],
  [{ iouringSockets: 'fixed' }, 'iouringSockets'],
  [{ iouringSockets: true }, 'iouringSockets'],
]

/** The error engine.start(config) rejects with; throws if it started instead (stopping it again). */
export async function startError(engine: NativeEngine, config: Record<string, unknown>): Promise<NativeStartError> {
  try {
    await engine.start(config)
  } catch (err) {
    return err as NativeStartError
  }
  await engine.stop()
  throw new Error(`start(${JSON.stringify(config)}) unexpectedly succeeded`)
}
