// English strings of the source picker (attach to another process that includes the probe) and of
// the tabs that change while one is attached (merged into en.ts under `attach`).
// vue-i18n syntax: {name} interpolates; never a bare "|" or "@".
const attachEn = {
  label: 'Source',
  help: 'Which server the dashboard samples: the built-in one, or another process that includes the IOCP Monitor probe.',
  builtin: 'Built-in server',
  option: '{name} · pid {pid} · {workers} workers',
  unnamed: '(unnamed)',
  markExited: 'exited',
  markProblem: 'problem',
  noProbes: 'No other process publishes a probe.',
  attaching: 'Attaching…',
  detaching: 'Detaching…',
  chipAttached: 'Attached: {name} (pid {pid})',
  chipAttachedTitle: 'Charts, export, alerts and recording follow this process.',
  chipExited: '{name} exited',
  exitReason: {
    closed: 'closed its probe',
    'process-exited': 'ended without closing its probe',
  },
  exitedTitle: 'Its history is kept: the charts and export still show the run.',
  attachedFor: 'Attached for',
  detachButton: 'Detach',
  detachTitle: 'Stop sampling this process (it keeps running)',
  startHint: 'Detach to start the built-in server',
  loadTarget: 'Empty fields aim at the attached process {name}, {address}.',
  loadNoPort: '{name} did not publish its port: enter a target.',
}

export type AttachMessages = typeof attachEn
export default attachEn
