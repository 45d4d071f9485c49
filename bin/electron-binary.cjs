// Finds the Electron binary, or says why it cannot be used. Reads what require('electron') reads
// (node_modules/electron/path.txt + dist/) instead of calling it, because in electron 45
// require('electron') starts a network download when the binary is missing — `npm start` must
// decide instantly and offline.
'use strict'
const { existsSync, readFileSync } = require('node:fs')
const { dirname, join } = require('node:path')

/** @returns {{ path: string } | { reason: string }} */
function findElectronBinary(env = process.env) {
  let pkgDir
  try {
    pkgDir = dirname(require.resolve('electron/package.json', { paths: [join(__dirname, '..')] }))
  } catch {
    return { reason: 'the electron package is not installed' }
  }
  const pathFile = join(pkgDir, 'path.txt')
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : ''
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(env.ELECTRON_OVERRIDE_DIST_PATH, rel || 'electron')
    return existsSync(p) ? { path: p } : { reason: `ELECTRON_OVERRIDE_DIST_PATH has no binary at ${p}` }
  }
  if (!rel) return { reason: 'its binary was never downloaded: node_modules/electron/path.txt is missing' }
  const p = join(pkgDir, 'dist', rel)
  return existsSync(p) ? { path: p } : { reason: `its binary is missing (${p})` }
}

/** Why a window cannot be shown here, or null. */
function displayProblem(env = process.env, platform = process.platform) {
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return 'no display (DISPLAY and WAYLAND_DISPLAY are unset)'
  return null
}

module.exports = { findElectronBinary, displayProblem }
