// Brings the page up against the service: the server store first (status, catalog, history and
// the live tick stream), then the feature stores in parallel. A feature the service does not offer
// answers with an error; its store marks itself unavailable and the page carries on.
import { DEFAULT_APP_CONFIG } from '../../../src-shared/app-config'
import { hasStoredLocale, persistLocale, type Locale } from '../i18n'
import { applyTheme, setTheme, themeSetting } from '../lib/theme'
import { useAlertsStore } from '../stores/alerts'
import { useAttachStore } from '../stores/attach'
import { useConfigDraftStore } from '../stores/config-draft'
import { useLoadStore } from '../stores/load'
import { useRecordingStore } from '../stores/recording'
import { useServerStore } from '../stores/server'
import { useSettingsStore } from '../stores/settings'

export async function startSession(opts: { setLocale: (l: Locale) => void }): Promise<void> {
  applyTheme()
  const server = useServerStore()
  const settings = useSettingsStore()
  await server.init()
  await Promise.all([useLoadStore().init(), useAlertsStore().init(), useRecordingStore().init(), useAttachStore().init(), settings.init()])

  const cfg = settings.state?.config
  if (!cfg) return
  // The config file remembers a language chosen in the desktop app or another browser; a choice
  // made in this browser (localStorage) wins, and the file's default ('en', nothing chosen yet)
  // does not override the browser's own language.
  if (!hasStoredLocale() && cfg.ui.language !== DEFAULT_APP_CONFIG.ui.language && (cfg.ui.language === 'en' || cfg.ui.language === 'ko')) {
    opts.setLocale(cfg.ui.language)
    persistLocale(cfg.ui.language)
  }
  if (cfg.ui.theme && themeSetting.value === 'system' && cfg.ui.theme !== 'system') setTheme(cfg.ui.theme)
  // The server form starts from the last configuration used (unless a server runs: then it shows that).
  const st = server.status.state
  if (st === 'stopped' || st === 'failed') useConfigDraftStore().load(cfg.server)
}

export function stopSession(): void {
  useServerStore().dispose()
  useLoadStore().dispose()
  useAlertsStore().dispose()
  useRecordingStore().dispose()
  useAttachStore().dispose()
  useSettingsStore().dispose()
}
