// The C programs `npm run bench` measures against: frevib's epoll and io_uring echo servers (built
// from ../shared/peers when that folder exists — third-party, MIT, not shipped with the project),
// the minimal ping-pong client of bench/pingpong_client.c and the connection holder of
// bench/scale_client.c. Each is built once into bench/.build with gcc -O2; what cannot be built is
// returned as a reason, so the bench skips it and says why.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const outDir = join(here, '.build')
export const peersDir = resolve(here, '../../shared/peers')

/** Builds `src` into bench/.build/`name` unless an up-to-date binary exists. */
function build(name, src, libs = []) {
  if (!existsSync(src)) return { skip: `${src} not found` }
  mkdirSync(outDir, { recursive: true })
  const bin = join(outDir, name)
  if (existsSync(bin) && statSync(bin).mtimeMs > statSync(src).mtimeMs) return { bin }
  const r = spawnSync('gcc', ['-O2', '-D_GNU_SOURCE', '-o', bin, src, ...libs], { encoding: 'utf8' })
  if (r.error) return { skip: `gcc not available (${r.error.code})` }
  if (r.status !== 0) return { skip: `gcc failed on ${src}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}` }
  return { bin }
}

/** { bin } or { skip: reason } for each reference program. */
export function buildReferences() {
  return {
    peerEpoll: build('epoll_echo', join(peersDir, 'epoll/epoll_echo_server.c')),
    peerIouring: build('uring_echo', join(peersDir, 'iouring/io_uring_echo_server.c'), ['-luring']),
    pingpong: build('pingpong_client', join(here, 'pingpong_client.c')),
    scaleClient: build('scale_client', join(here, 'scale_client.c')),
  }
}
