// English texts of the guided experiments (components/how-it-works/GuidedExperiments.vue), merged
// into en.ts under `experiments`. experiments-ko.ts has the same shape (checked by its type).
// vue-i18n syntax: {name} interpolates; never use a bare "|" or "@" in a message.
const experimentsEn = {
  title: 'Guided experiments',
  intro:
    'Each experiment sets up the server and a load run for you, runs them for a few seconds, tells you where to look while it runs, and ends with what was measured. Your server is put back as it was afterwards: stopped if it was stopped, restarted with your settings if it was running.',
  where: 'The experiments use the host, port and backend of your server (or of the form on the Server tab).',
  attached: 'Unavailable while {name} is attached: every experiment starts and restarts the built-in server, which cannot run while another process is the source. Choose Built-in server in the Source picker to run them.',
  run: 'Run',
  runAgain: 'Run again',
  stop: 'Stop',
  stopping: 'Stopping…',
  restoring: 'Putting your server back…',
  phase: 'Phase {n} of {total}: {name}',
  progress: 'Experiment progress',
  watch: 'Watch',
  show: 'Show on the Server tab',
  live: 'Measured so far in this phase',
  summary: 'What was measured',
  setup: 'Set-up',
  expect: 'What to expect',
  cancelled: 'Stopped before the end; nothing was concluded. Your server was put back as it was.',
  restored: 'Your server was put back as it was.',
  shown: 'Effect measured',
  notShown: 'Effect not measured',
  dash: '—',
  charts: {
    queueDepth: 'Queue depth per worker',
    bytes: 'Throughput',
    completions: 'Completions per second',
    inflight: 'Operations in flight',
    busy: 'Busy per worker',
    errors: 'Errors per second',
    workers: 'Workers table',
  },
  metrics: {
    workers: 'Worker threads',
    completionsPerS: 'Completions/s (mean)',
    busiestCompletionShare: 'Completions taken by the busiest worker',
    busiestBusyShare: 'Busiest worker’s share of all busy time',
    maxBusy: 'Busiest worker’s busy share',
    peakQueueDepth: 'Queue depth, peak (any worker)',
    meanQueueDepth: 'Queue depth, mean of the deepest worker',
    sendQueueFull: 'send-queue-full (server)',
    peakSessions: 'Sessions, peak',
    endSessions: 'Sessions at the end of the run',
    bytesOut: 'Bytes sent by the server',
    bytesOutPerS: 'Bytes sent/s (mean)',
    loadResets: 'connection-reset seen by the load generator',
    serverResets: 'connection-reset counted by the server',
    halfCloses: 'Clients that half-closed (FIN)',
    backlog: 'Listen backlog',
    connectsPerS: 'Connections per second (generator)',
    connectsOk: 'Connections made',
    connectsFailed: 'Connect failures',
    messageSize: 'Message size',
    bytesInPerS: 'Bytes received/s (mean)',
    bytesPerCompletion: 'Bytes per completion',
  },
  errors: {
    disconnected: 'Not connected to the monitor service; try again once the connection is back.',
    busy: 'The server is starting or stopping; try again in a moment.',
    loadRunning: 'A load run is in progress (Load tab). Stop it or let it finish first.',
    serverStart: 'The experiment’s server could not be started, so the experiment stopped. Your server was put back as it was.',
    loadStart: 'The experiment’s load run could not be started. Your server was put back as it was.',
    interrupted: 'The server stopped during the experiment (stopped from the header, or it failed), so the experiment ended.',
    restore: 'The experiment ran, but your server could not be started again with your settings.',
  },
  items: {
    workers: {
      title: 'One worker vs four workers',
      what: 'The same echo load (50 connections, 128 B, 4 messages in flight each, 3 s) against 1 worker thread, then against 4.',
      expect:
        'With one worker every completion lands on its one queue, so it takes all the work and the busy share sits on one line; with four they share it. Queue depth is sampled 10 times a second: on Windows (IOCP) the one worker’s queue builds up; on Linux io_uring posts completions only when the worker asks for them, so the depth often stays low in both phases and the busy and completions charts show the difference.',
      phases: { one: '1 worker', four: '4 workers' },
      steps: {
        one: 'One worker does everything: on “Busy per worker” there is a single line, and “Completions per second” has one band. Watch whether its queue depth rises.',
        four: 'Four workers split the same connections: four lines on “Busy per worker”, four bands in “Completions per second”, each a share of the total.',
      },
      outcome: {
        shownWithQueue: 'The busiest worker took {oneShare} % of the completions with one worker and {fourShare} % with four; its busy share was {oneBusy} % vs {fourBusy} %. The deepest queue reached {onePeak} with one worker and {fourPeak} with four.',
        shownQueueFlat: 'The busiest worker took {oneShare} % of the completions with one worker and {fourShare} % with four; its busy share was {oneBusy} % vs {fourBusy} %. The deepest queue was {onePeak} with one worker and {fourPeak} with four: here the queue did not show it (see what to expect).',
        notShown: 'The work was not more concentrated with one worker ({oneShare} % vs {fourShare} %); the machine may have been too busy to tell.',
      },
    },
    slowReader: {
      title: 'A slow reader fills its send queue',
      what: 'Chat on one worker (every message goes to every client) with a 512 KiB send queue per session; 10 clients send 1,000 messages/s of 4 KiB for 3 s (4 MB/s to every client). First everyone reads; then one client in ten keeps writing but never reads.',
      expect:
        'A client that does not read lets the server’s send queue for it grow until it passes the limit; the server then counts send-queue-full and closes that one session with RST (the generator sees connection-reset). The other clients keep receiving.',
      phases: { allRead: 'Everyone reads', oneSlow: 'One slow reader' },
      steps: {
        allRead: 'Everyone reads: “Throughput” shows about ten times more sent than received (each message goes to ten clients), and “Errors per second” stays empty.',
        oneSlow: 'One client stopped reading. Once the kernel’s buffers and its 512 KiB queue are full (about a second), a send-queue-full error appears on “Errors per second” and the sessions drop by one.',
      },
      outcome: {
        shown: 'send-queue-full was counted {full} time(s) with a slow reader and {before} time(s) when everyone read; sessions went from {peakSessions} to {endSessions}: the server dropped the slow reader and kept serving the others.',
        notShown: 'No send-queue-full was counted ({full}); the slow client’s kernel buffers may not have filled within the run.',
      },
    },
    closeMode: {
      title: 'Graceful vs abortive close',
      what: 'Echo with close mode graceful, then abortive; 20 clients for 2 s, half of which send 4 messages, shut their sending side (FIN) and read until the server closes.',
      expect:
        'Graceful: the server answers the client’s FIN with its own FIN, the client reads to the end, no error anywhere. Abortive: the server closes with RST, so the client — the load generator, the other side of the connection — counts connection-reset. The server itself counts nothing: it chose to reset.',
      phases: { graceful: 'Graceful (FIN)', abortive: 'Abortive (RST)' },
      steps: {
        graceful: 'Graceful close: the half-closing clients get a FIN and finish cleanly. Nothing appears on “Errors per second” (server side), and the load generator counts no errors.',
        abortive: 'Abortive close: the same clients now get an RST. The server still shows no error — the resets are counted on the client side, by the load generator (Load tab, client errors).',
      },
      outcome: {
        shown: 'The load generator counted connection-reset {abortive} time(s) with abortive close ({halfCloses} half-closing clients) and {graceful} with graceful close.',
        notShown: 'connection-reset was counted {abortive} time(s) with abortive and {graceful} with graceful close; the difference did not show this time.',
      },
    },
    backlog: {
      title: 'A connect storm against a small backlog',
      what: 'A connect storm: 200 clients, each connecting, closing and reconnecting at once for 3 s, first against the default listen backlog (1024), then against a backlog of 1.',
      expect:
        'The backlog is how many finished handshakes may wait for accept. With 1, most new connections find the queue full; on Linux their SYN is dropped and the client retries after about a second, so connections are delayed rather than refused: the connection rate collapses while connect failures may stay at 0. Windows refuses them instead (connection-refused).',
      phases: { large: 'Backlog 1024', small: 'Backlog 1' },
      steps: {
        large: 'Backlog 1024: accepts go as fast as the clients reconnect; “Completions per second” is high (each accept is a completion).',
        small: 'Backlog 1: the accept queue is full most of the time; “Completions per second” drops while the clients wait to retry.',
      },
      outcome: {
        shown: 'The generator made {large} connections/s with backlog 1024 and {small}/s with backlog 1 ({ratio}× fewer), with {failed} connect failure(s): the small backlog delayed the connections rather than refusing them.',
        notShown: 'The connection rate was {large}/s with backlog 1024 and {small}/s with backlog 1; the small backlog did not slow the storm here.',
      },
    },
    sizeSweep: {
      title: 'Message size sweep',
      what: 'The same 20 echo connections with 64 B, 1 KiB, then 16 KiB messages, 2.5 s each.',
      expect:
        'Each message costs about the same number of completions whatever its size, so bytes per second grows with the size while completions per second stays about the same or falls (bigger messages take longer to copy). Bytes per completion shows how much each completion carried.',
      phases: { s64: '64 B', s1k: '1 KiB', s16k: '16 KiB' },
      steps: {
        s64: 'Small messages: many completions, few bytes. Compare “Throughput” with “Completions per second”.',
        s1k: '1 KiB: “Throughput” steps up; “Completions per second” stays about where it was.',
        s16k: '16 KiB: “Throughput” steps up again, while “Completions per second” does not follow.',
      },
      outcome: {
        shownFalls: 'From 64 B to 16 KiB, bytes received per second rose {bytesRatio}× while completions per second changed {completionsRatio}×: the work is per completion, not per byte.',
        shownFlat: 'From 64 B to 16 KiB, bytes received per second rose {bytesRatio}× while completions per second changed only {completionsRatio}×: the work is per completion, not per byte.',
        notShown: 'Bytes per second did not rise with every step of the message size this time (from 64 B to 16 KiB: {bytesRatio}×).',
      },
    },
  },
}

export type ExperimentsMessages = typeof experimentsEn
export default experimentsEn
