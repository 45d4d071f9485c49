// What every bench script needs from the OS: a free loopback port, a process's (or one thread's)
// CPU time from /proc, and waiting until something accepts on a port (the C peers print nothing
// to wait for).
import { readFileSync } from 'node:fs'
import net from 'node:net'

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** utime+stime of a process in microseconds (clock ticks are 100 Hz on Linux). */
export function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10000
}

/** CPU time of one thread in microseconds, from the scheduler's nanosecond count (schedstat). */
export function threadCpuMicros(pid, tid) {
  return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1000
}

/** Resolves once something accepts on the port; rejects if `child` exits first or after ~5 s. */
export async function waitListening(port, child) {
  for (let i = 0; i < 200; i++) {
    if (child && child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`)
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true) })
      c.on('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error('server did not listen')
}
