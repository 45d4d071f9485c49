// Address helpers for the local-only dashboard.
import { isIP } from 'node:net'

/** 127.0.0.0/8 or ::1 (the only addresses the dashboard binds without a warning). */
export function isLoopback(host: string): boolean {
  return (isIP(host) === 4 && host.startsWith('127.')) || host === '::1'
}

/** The host as it appears in a URL or Host header: IPv6 literals in brackets. */
export function hostForUrl(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host
}

/**
 * Host header values (and therefore origins) that name this server. Checking Host defeats DNS
 * rebinding: a page on evil.example whose name later resolves to 127.0.0.1 still sends
 * Host: evil.example.
 */
export function allowedHosts(host: string, port: number): string[] {
  const hosts = [`${hostForUrl(host)}:${port}`]
  if (isLoopback(host)) hosts.push(`localhost:${port}`)
  return hosts
}

export function allowedOrigins(host: string, port: number): string[] {
  return allowedHosts(host, port).map((h) => `http://${h}`)
}
