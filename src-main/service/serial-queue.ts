// Jobs one at a time, in the order they were queued: the server's start/stop, the load generator's
// runs and the /metrics endpoint's moves each go through one, so a double click or two windows can
// never interleave them. A job that fails does not hold up the next.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(job: () => Promise<T>): Promise<T> {
    const run = this.tail.then(job, job)
    this.tail = run.catch(() => undefined)
    return run
  }

  /** Settles once every job queued so far has. */
  drained(): Promise<void> {
    return this.tail.then(() => undefined)
  }
}
