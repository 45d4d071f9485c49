#!/usr/bin/env node
// The `prometheus` suite: deploy/ against a REAL Prometheus and two real `iocp-monitor serve`
// agents. Ends with "prometheus: N passed, M failed" (tests/run-all.mjs reads that line).
//
//   1. promtool check config / check rules on deploy/ (must pass), and promtool test rules on
//      deploy/iocp-monitor.rules.test.yml: every alert fires from synthetic series where it should,
//      after its real `for:`, and not for a neighbour under the threshold.
//   2. Two agents (`serve --threads 2 --metrics-port`) on free loopback ports; a Prometheus
//      (`prometheus` from PATH or $PROMETHEUS_BIN) with a temp data dir, a 1 s scrape and rule
//      interval, the deploy/ rules (a copy whose `for:` durations are 2 s; expressions unchanged)
//      and the same job name as deploy/prometheus.yml.
//   3. `iocp-monitor load` with fixed message counts, different on each agent; the bytes, accepts
//      and closes Prometheus stores per instance must EQUAL what the load clients report.
//   4. Every PromQL expression of the rules (read back from /api/v1/rules, the parse Prometheus
//      itself made) and of the Grafana dashboard is evaluated: no error, non-empty. An alert's
//      expression filters by its threshold, so it is also evaluated in `bool` form (the same
//      selectors, functions and matching, 0/1 per series) for the non-empty check.
//      So are the example queries in README.md's "Running many servers".
//   5. A reset-fault load on one agent makes IocpmErrorsHigh fire for that instance only.
// Nothing is skipped: without the prometheus/promtool binaries the suite fails and says why.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, accessSync, constants } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const deploy = join(root, 'deploy')
const CONFIG = join(deploy, 'prometheus.yml')
const RULES = join(deploy, 'iocp-monitor.rules.yml')
const RULE_TESTS = join(deploy, 'iocp-monitor.rules.test.yml')
const DASHBOARD = join(deploy, 'grafana', 'iocp-monitor-dashboard.json')
const JOB = 'iocp-monitor'
const started = Date.now()

// ---------------------------------------------------------------- results ---------------------
let passed = 0
let failed = 0
/** Records one check; returns whether it held. */
function check(name, ok, detail = '') {
  if (ok) passed++
  else failed++
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`)
  return ok
}
function finish(code) {
  console.log(`\nprometheus: ${passed} passed, ${failed} failed  (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  process.exitCode = code ?? (failed === 0 && passed > 0 ? 0 : 1)
}

// ---------------------------------------------------------------- processes -------------------
const children = []
let tmp = null
function cleanup() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  if (tmp) rmSync(tmp, { recursive: true, force: true })
  tmp = null
}
process.on('exit', cleanup)
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => { cleanup(); process.exit(130) })

function start(cmd, args, label) {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  const p = { child, label, out: '', err: '' }
  child.stdout.setEncoding('utf8').on('data', (d) => (p.out += d))
  child.stderr.setEncoding('utf8').on('data', (d) => (p.err += d))
  p.exit = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
  child.on('error', (e) => (p.err += `spawn error: ${e.message}\n`))
  return p
}

/** Stops a child with SIGTERM; SIGKILL after `ms`. */
async function stop(p, ms = 5000) {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.exit
  p.child.kill('SIGTERM')
  const timer = setTimeout(() => p.child.kill('SIGKILL'), ms)
  const r = await p.exit
  clearTimeout(timer)
  return r
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function waitFor(what, fn, ms) {
  const deadline = Date.now() + ms
  let last
  for (;;) {
    try {
      last = await fn()
      if (last) return last
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last instanceof Error ? ` (${last.message})` : ''}`)
    await sleep(200)
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** A binary from $ENV_NAME or PATH; null when there is none. */
function findBinary(name, envName) {
  const candidates = process.env[envName] ? [process.env[envName]] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name))
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK)
      return c
    } catch {}
  }
  return null
}

// ---------------------------------------------------------------- Prometheus API --------------
let promUrl = ''
async function api(path, params = {}) {
  const url = new URL(`/api/v1/${path}`, promUrl)
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v))
  const res = await fetch(url)
  const body = await res.json()
  if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.errorType}: ${body.error}`)
  return body.data
}
/** An instant vector: [{metric, value: [t, "v"]}]. */
async function query(expr) {
  const data = await api('query', { query: expr })
  if (data.resultType !== 'vector') throw new Error(`${expr}: expected a vector, got ${data.resultType}`)
  return data.result
}
/** instance → number, for a query aggregated `by (instance)`. */
async function perInstance(expr) {
  return Object.fromEntries((await query(expr)).map((s) => [s.metric.instance, Number(s.value[1])]))
}

// ---------------------------------------------------------------- the CLI ---------------------
const CLI = join(root, 'bin', 'iocp-monitor.cjs')

async function startAgent(name) {
  const port = await freePort()
  const metricsPort = await freePort()
  const p = start(process.execPath, [CLI, 'serve', '--port', String(port), '--threads', '2', '--metrics-port', String(metricsPort)], name)
  await waitFor(`${name} to listen (stderr: ${p.err.trim()})`, () => /^listening /m.test(p.out) || (p.child.exitCode !== null ? Promise.reject(new Error(`${name} exited: ${p.err}`)) : false), 15_000)
  return { name, port, metricsPort, target: `127.0.0.1:${metricsPort}`, proc: p }
}

/** `iocp-monitor load`; resolves to its JSON summary (the one stdout line). */
async function load(agent, args) {
  const p = start(process.execPath, [CLI, 'load', '--host', '127.0.0.1', '--port', String(agent.port), ...args], `load ${agent.name}`)
  const { code } = await p.exit
  const lines = p.out.split('\n').filter(Boolean)
  if (code !== 0 || lines.length !== 1) throw new Error(`load ${args.join(' ')} on ${agent.name}: exit ${code}, stderr: ${p.err.trim().split('\n').slice(-3).join(' | ')}`)
  return JSON.parse(lines[0])
}

// ---------------------------------------------------------------- expressions -----------------
/**
 * An alert's expression with `bool` after each comparison against a number: the same query,
 * but 0/1 for every series instead of only those over the threshold.
 */
export function boolForm(expr) {
  return expr.replace(/(==|!=|>=|<=|>|<)(\s*)(?!\s*bool\b)(?=-?[\d.])/g, '$1 bool$2')
}

/** Grafana's variables as Grafana would send them with both instances selected. */
function substituteGrafana(expr, instances) {
  const escaped = instances.map((i) => i.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&'))
  return expr
    .replace(/\$\{?instance(?::\w+)?\}?/g, `(${escaped.join('|')})`)
    .replace(/\$\{?__rate_interval\}?/g, '1m')
    .replace(/\$\{?__interval\}?/g, '5s')
    .replace(/\$\{?__range\}?/g, '5m')
}

/** Every `expr` of the dashboard's panels (and their nested rows) with the panel's title. */
function dashboardExprs(dash) {
  const out = []
  const walk = (panels) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr })
      walk(p.panels)
    }
  }
  walk(dash.panels)
  return out
}

// ---------------------------------------------------------------- the suite -------------------
async function main() {
  const prometheus = findBinary('prometheus', 'PROMETHEUS_BIN')
  const promtool = findBinary('promtool', 'PROMTOOL_BIN')
  if (!check('the prometheus and promtool binaries are installed', prometheus && promtool,
    prometheus && promtool ? `${prometheus}, ${promtool}` : `missing ${[!prometheus && 'prometheus', !promtool && 'promtool'].filter(Boolean).join(' and ')}: install them (Debian: apt-get install prometheus; .ci/run does) or set PROMETHEUS_BIN / PROMTOOL_BIN`)) return
  const version = spawnSync(prometheus, ['--version'], { encoding: 'utf8' })
  console.log(`using ${(version.stdout || version.stderr).split('\n')[0]}`)

  // 1. promtool on the shipped files.
  for (const [what, args] of [['config', ['check', 'config', CONFIG]], ['rules', ['check', 'rules', RULES]]]) {
    const r = spawnSync(promtool, args, { encoding: 'utf8' })
    check(`promtool check ${what} deploy/${args[2].slice(deploy.length + 1)}`, r.status === 0, (r.stdout + r.stderr).trim().replace(/\s*\n\s*/g, '; '))
  }
  {
    const r = spawnSync(promtool, ['test', 'rules', RULE_TESTS], { encoding: 'utf8', cwd: deploy })
    check('promtool test rules deploy/iocp-monitor.rules.test.yml: each of the six alerts fires where its tests say and nowhere else', r.status === 0, (r.stdout + r.stderr).trim().replace(/\s*\n\s*/g, '; '))
  }

  const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8'))
  const vars = dash.templating?.list ?? []
  const instanceVar = vars.find((v) => v.name === 'instance')
  check('the Grafana dashboard has an `instance` variable from label_values(…, instance)', !!instanceVar && /label_values\((\w+),\s*instance\)/.test(instanceVar.definition ?? instanceVar.query?.query ?? instanceVar.query))

  // The CLI: run-all compiles dist-cli/ before the suites; alone, compile it if missing.
  if (!existsSync(join(root, 'dist-cli', 'src-main', 'cli', 'main.js'))) {
    console.log('dist-cli/ missing: compiling the CLI (tsc -p tsconfig.cli.json)')
    const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.cli.json'], { cwd: root, stdio: 'inherit' })
    if (!check('the CLI compiles', r.status === 0)) return
  }

  // 2. Two agents and a Prometheus scraping them every second.
  const a = await startAgent('agent-a')
  const b = await startAgent('agent-b')
  console.log(`agents: ${a.name} serve :${a.port} /metrics ${a.target}; ${b.name} serve :${b.port} /metrics ${b.target}`)

  tmp = mkdtempSync(join(tmpdir(), 'iocpm-prom-'))
  const rulesText = readFileSync(RULES, 'utf8')
  // Short `for:` so the test need not wait minutes; the expressions stay byte for byte.
  const testRules = rulesText.replace(/^(\s*for:\s*)\S+\s*$/gm, '$12s')
  writeFileSync(join(tmp, 'rules.yml'), testRules)
  const promPort = await freePort()
  writeFileSync(join(tmp, 'prometheus.yml'), [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 900ms',
    '  evaluation_interval: 1s',
    'rule_files:',
    `  - ${JSON.stringify(join(tmp, 'rules.yml'))}`,
    'scrape_configs:',
    `  - job_name: ${JOB}`,
    '    metrics_path: /metrics',
    '    static_configs:',
    `      - targets: [${JSON.stringify(a.target)}, ${JSON.stringify(b.target)}]`,
    '',
  ].join('\n'))
  const prom = start(prometheus, [
    `--config.file=${join(tmp, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(tmp, 'data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    '--log.level=warn',
  ], 'prometheus')
  promUrl = `http://127.0.0.1:${promPort}`
  await waitFor(`Prometheus ready on ${promUrl} (stderr: ${prom.err.slice(-500)})`, async () => {
    if (prom.child.exitCode !== null) throw new Error(`prometheus exited: ${prom.err}`)
    return (await fetch(`${promUrl}/-/ready`)).ok
  }, 20_000)
  const targets = await waitFor('both agents scraped (health up)', async () => {
    const t = (await api('targets')).activeTargets.filter((x) => x.labels.job === JOB)
    return t.length === 2 && t.every((x) => x.health === 'up') && t
  }, 15_000)
  check('Prometheus scrapes both agents (targets up)', targets.length === 2, targets.map((t) => `${t.labels.instance} ${t.health}`).join(', '))

  // 3. Known load on each agent: fixed message counts, so the clients know every byte they moved.
  const runs = {
    [a.target]: [['--conns', '4', '--size', '100', '--messages', '2000', '--seconds', '0'], ['--conns', '3', '--size', '1000', '--messages', '500', '--seconds', '0']],
    [b.target]: [['--conns', '7', '--size', '333', '--messages', '3003', '--seconds', '0']],
  }
  const client = {}
  for (const agent of [a, b]) {
    // connections: every connection the client opened. connectsOk counts the run's connections;
    // before them the generator tries the target once with a connect of its own (prepare_run in
    // native/src/loadgen/loadgen_shared.h), which the server accepts too: one more per run.
    const t = (client[agent.target] = { bytesSent: 0, bytesReceived: 0, connectsOk: 0, connections: 0, messages: 0 })
    for (const args of runs[agent.target]) {
      const s = await load(agent, args)
      const size = Number(args[args.indexOf('--size') + 1])
      const messages = Number(args[args.indexOf('--messages') + 1])
      check(`${agent.name}: load ${args.join(' ')}: every message sent and echoed intact`,
        s.msgsSent === messages && s.msgsEchoed === messages && s.bytesSent === messages * size && s.bytesReceived === s.bytesSent && s.mismatchedBytes === 0 && s.connectsFailed === 0,
        `sent ${s.msgsSent} msgs / ${s.bytesSent} B, received ${s.bytesReceived} B, connects ${s.connectsOk}`)
      t.bytesSent += s.bytesSent
      t.bytesReceived += s.bytesReceived
      t.connectsOk += s.connectsOk
      t.connections += s.connectsOk + 1
      t.messages += s.msgsSent
    }
  }

  // Wait for scrapes taken after the server closed every session (closes == accepts, none open).
  const loadsDone = Date.now() / 1000
  await waitFor('scrapes after the loads, with every session closed', async () => {
    const ts = await perInstance(`min by (instance) (timestamp(iocpm_closes_total{job="${JOB}"}))`)
    const open = await perInstance(`sum by (instance) (iocpm_sessions{job="${JOB}"})`)
    const acc = await perInstance(`sum by (instance) (iocpm_accepts_total{job="${JOB}"})`)
    const clo = await perInstance(`sum by (instance) (iocpm_closes_total{job="${JOB}"})`)
    return [a, b].every((x) => ts[x.target] > loadsDone + 0.3 && open[x.target] === 0 && acc[x.target] === clo[x.target] && acc[x.target] === client[x.target].connections)
  }, 15_000).catch((e) => console.log(`note: ${e.message}`))

  const stored = {}
  for (const [key, series] of [['bytesIn', 'iocpm_bytes_in_total'], ['bytesOut', 'iocpm_bytes_out_total'], ['accepts', 'iocpm_accepts_total'], ['closes', 'iocpm_closes_total'], ['sessions', 'iocpm_sessions']]) {
    stored[key] = await perInstance(`sum by (instance) (${series}{job="${JOB}"})`)
  }
  for (const agent of [a, b]) {
    const c = client[agent.target]
    const got = (k) => stored[k][agent.target]
    check(`${agent.name} (${agent.target}): Prometheus bytes in = client bytes sent`, got('bytesIn') === c.bytesSent, `${got('bytesIn')} vs ${c.bytesSent}`)
    check(`${agent.name} (${agent.target}): Prometheus bytes out = client bytes received`, got('bytesOut') === c.bytesReceived, `${got('bytesOut')} vs ${c.bytesReceived}`)
    check(`${agent.name} (${agent.target}): Prometheus accepts = client connections (connectsOk + 1 pre-flight connect per run)`, got('accepts') === c.connections, `${got('accepts')} vs ${c.connectsOk} + ${runs[agent.target].length}`)
    check(`${agent.name} (${agent.target}): Prometheus closes = accepts, 0 sessions open`, got('closes') === c.connections && got('sessions') === 0, `closes ${got('closes')}, sessions ${got('sessions')}`)
  }
  check('the two instances hold different totals (no label mix-up)', stored.bytesIn[a.target] !== stored.bytesIn[b.target])

  // 5 (before 4, so the error series exist when every expression is evaluated): a reset fault on
  // agent B only. Every connection sends half a message then RST; opened over 3 s so the error
  // counter rises across several scrapes, as rate() needs.
  const faults = await load(b, ['--conns', '600', '--size', '100', '--seconds', '4', '--ramp-up-ms', '3000', '--faults', 'reset=100'])
  check(`${b.name}: reset fault load injected`, faults.faultsInjected.reset > 0 && faults.mismatchedBytes === 0, `${faults.faultsInjected.reset} resets, ${faults.connectsOk} connects`)
  const alertName = 'IocpmErrorsHigh'
  const firing = await waitFor(`${alertName} firing for ${b.target}`, async () => {
    const alerts = (await api('alerts')).alerts.filter((x) => x.labels.alertname === alertName)
    return alerts.some((x) => x.state === 'firing' && x.labels.instance === b.target) && alerts
  }, 20_000).catch((e) => (check(`${alertName} fires under the reset fault`, false, e.message), null))
  if (firing) {
    const onB = firing.find((x) => x.labels.instance === b.target)
    check(`${alertName} fires for ${b.name} under the reset fault`, true, `value ${Number(onB.value).toFixed(1)} errors/s, summary "${onB.annotations.summary}"`)
    check(`${alertName} does not fire for ${a.name} (no errors there)`, !firing.some((x) => x.labels.instance === a.target), JSON.stringify(firing.map((x) => [x.labels.instance, x.state])))
    const series = await query(`ALERTS{alertname="${alertName}", alertstate="firing"}`)
    check(`ALERTS{alertname="${alertName}",alertstate="firing"} holds ${b.target}`, series.some((s) => s.metric.instance === b.target))
  }
  const errs = await perInstance(`sum by (instance) (iocpm_errors_total{job="${JOB}"})`)
  console.log(`errors stored: ${JSON.stringify(errs)}`)

  // 4. Every rule, as Prometheus parsed it, is healthy and evaluates to something.
  const groups = (await api('rules')).groups
  const rules = groups.flatMap((g) => g.rules.map((r) => ({ ...r, group: g.name })))
  const declared = (rulesText.match(/^\s*-\s*(record|alert):/gm) ?? []).length
  check(`Prometheus loaded every rule of deploy/iocp-monitor.rules.yml`, rules.length === declared && declared > 0, `${rules.length} loaded, ${declared} declared`)
  for (const r of rules) {
    const name = r.type === 'recording' ? `record ${r.name}` : `alert ${r.name}`
    check(`${name}: rule health ok`, r.health === 'ok' && !r.lastError, r.lastError ?? r.health)
    if (r.type === 'recording') {
      const v = await query(r.query).catch((e) => e)
      check(`${name}: expr evaluates, non-empty`, Array.isArray(v) && v.length > 0, Array.isArray(v) ? `${v.length} series` : v.message)
      const rec = await query(r.name).catch((e) => e)
      check(`${name}: recorded series present`, Array.isArray(rec) && rec.length > 0, Array.isArray(rec) ? `${rec.length} series` : rec.message)
    } else {
      const v = await query(r.query).catch((e) => e)
      check(`${name}: expr evaluates without error`, Array.isArray(v), Array.isArray(v) ? `${v.length} series over the threshold now` : v.message)
      const bf = boolForm(r.query)
      const bv = await query(bf).catch((e) => e)
      check(`${name}: bool form non-empty (${bf})`, bf !== r.query && Array.isArray(bv) && bv.length > 0, Array.isArray(bv) ? `${bv.length} series` : bv.message)
    }
  }

  // Every expression of the Grafana dashboard, with its variables as Grafana would send them.
  const instances = [a.target, b.target]
  for (const { where, expr } of dashboardExprs(dash)) {
    const q = substituteGrafana(expr, instances)
    const v = await query(q).catch((e) => e)
    check(`grafana ${where}: evaluates, non-empty`, Array.isArray(v) && v.length > 0, Array.isArray(v) ? `${v.length} series: ${q}` : `${v.message}: ${q}`)
  }
  const varMetric = (instanceVar.definition ?? '').match(/label_values\((\w+),\s*instance\)/)?.[1]
  if (varMetric) {
    const values = await api('label/instance/values', { 'match[]': varMetric })
    check(`grafana variable instance = label_values(${varMetric}, instance) lists both agents`, instances.every((i) => values.includes(i)), JSON.stringify(values))
  }
  // The example queries of README.md's "Running many servers".
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('### Running many servers'))
  const block = section.slice(section.indexOf('Example queries:')).match(/```\n([\s\S]*?)```/)?.[1] ?? ''
  const examples = block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean)
  check('README "Running many servers" has example queries', examples.length > 0, `${examples.length}`)
  for (const expr of examples) {
    const v = await query(expr).catch((e) => e)
    check(`README example: evaluates, non-empty: ${expr}`, Array.isArray(v) && v.length > 0, Array.isArray(v) ? `${v.length} series` : v.message)
  }
  check('the dashboard has the main charts', ['Throughput', 'Queue depth', 'In-flight', 'Busy share', 'Errors/s by name'].every((t) => dash.panels.some((p) => p.title.startsWith(t))))

  // Clean stop: Prometheus, then the agents (exit 0 on SIGTERM).
  const pr = await stop(prom)
  check('prometheus stops cleanly', pr.code === 0, JSON.stringify(pr))
  for (const agent of [a, b]) {
    const r = await stop(agent.proc)
    check(`${agent.name} stops cleanly on SIGTERM`, r.code === 0, JSON.stringify(r))
  }
}

main().then(
  () => finish(),
  (err) => {
    check('suite ran to the end', false, err?.stack ?? String(err))
    finish(1)
  },
).finally(cleanup)
