// A dependency-free SVG plot of throughput vs connections (one panel per message size, one line
// per server), written next to the bench results so the README can show it.
const COLORS = { iouring: '#2563eb', epoll: '#16a34a', 'node-net': '#9ca3af', 'peer-epoll': '#f59e0b', 'peer-iouring': '#dc2626', 'iouring+pingpong-c': '#7c3aed', 'iouring+gen-epoll': '#c084fc', 'peer-epoll+pingpong-c': '#fcd34d', 'peer-epoll+gen-epoll': '#fdba74', 'iouring@base': '#93c5fd', 'epoll@base': '#86efac' }

export function throughputSvg(rows) {
  const sizes = [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b)
  const conns = [...new Set(rows.map((r) => r.conns))].sort((a, b) => a - b)
  const servers = [...new Set(rows.map((r) => r.server))]
  const W = 420, H = 260, M = { l: 64, r: 16, t: 32, b: 40 }
  const panels = sizes.map((size, p) => {
    const data = rows.filter((r) => r.size === size && !r.corrupt) // a corrupting server's rate is not speed
    const maxY = Math.max(...data.map((r) => r.msgsPerS)) * 1.1 || 1
    const x = (c) => M.l + (conns.length === 1 ? 0.5 : conns.indexOf(c) / (conns.length - 1)) * (W - M.l - M.r)
    const y = (v) => H - M.b - (v / maxY) * (H - M.t - M.b)
    const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * maxY)
    const grid = ticks.map((v) => `<line x1="${M.l}" x2="${W - M.r}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/><text x="${M.l - 6}" y="${y(v) + 4}" text-anchor="end">${(v / 1000).toFixed(0)}k</text>`).join('')
    const xl = conns.map((c) => `<text x="${x(c)}" y="${H - M.b + 16}" text-anchor="middle">${c}</text>`).join('')
    const lines = servers.map((s) => {
      const pts = conns.map((c) => data.find((r) => r.server === s && r.conns === c)).filter(Boolean)
      const path = pts.map((r, i) => `${i ? 'L' : 'M'}${x(r.conns).toFixed(1)},${y(r.msgsPerS).toFixed(1)}`).join(' ')
      const dots = pts.map((r) => `<circle cx="${x(r.conns)}" cy="${y(r.msgsPerS)}" r="3" fill="${COLORS[s] ?? '#000'}"/>`).join('')
      return `<path d="${path}" fill="none" stroke="${COLORS[s] ?? '#000'}" stroke-width="2"/>${dots}`
    }).join('')
    return `<g transform="translate(${p * W},0)"><text x="${W / 2}" y="18" text-anchor="middle" font-weight="600">${size} B messages: msgs/s vs connections</text>${grid}${xl}<text x="${W / 2}" y="${H - 6}" text-anchor="middle">connections</text>${lines}</g>`
  })
  const legend = servers.map((s, i) => `<g transform="translate(${16 + i * 150},${H + 8})"><rect width="12" height="12" fill="${COLORS[s] ?? '#000'}"/><text x="18" y="11">${s}</text></g>`).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W * sizes.length}" height="${H + 28}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="#fff"/>${panels.join('')}${legend}</svg>\n`
}
