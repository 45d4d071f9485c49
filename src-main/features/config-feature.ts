// The per-user config feature: config:get and config:set. It owns the settings and their file;
// the features that act on a setting (alert rules, the /metrics endpoint) are told after a save.
import { DEFAULT_APP_CONFIG, validateAppConfig, type AppConfig, type AppConfigPatch, type ConfigNotice, type ConfigState } from '../../src-shared/app-config'
import type { ChannelHandlers } from '../../src-shared/contract'
import type { Result } from '../../src-shared/result'
import type { ConfigStore, LoadedConfig } from '../config/config-store'
import { fsFailure } from './fs-failure'

export interface ConfigFeatureHooks {
  /** After a config:set was saved: apply what it changed. */
  applied(patch: AppConfigPatch): Promise<void>
  /** The /metrics endpoint's state, reported with the config. */
  metricsState(): ConfigState['metrics']
}

export class ConfigFeature {
  private config: AppConfig
  private notice: ConfigNotice | null
  private hooks: ConfigFeatureHooks = { applied: async () => undefined, metricsState: () => ({ url: null, error: null }) }

  /** `store` null: in memory only (CLI serve, tests). */
  static async load(store: ConfigStore | null): Promise<ConfigFeature> {
    return new ConfigFeature(store, store ? await store.load() : { config: structuredClone(DEFAULT_APP_CONFIG), notice: null })
  }

  private constructor(
    private readonly store: ConfigStore | null,
    readonly loaded: LoadedConfig,
  ) {
    this.config = loaded.config
    this.notice = loaded.notice
  }

  setHooks(hooks: ConfigFeatureHooks): void {
    this.hooks = hooks
  }

  handlers(): Pick<ChannelHandlers, 'config:get' | 'config:set'> {
    return {
      'config:get': () => this.getConfig(),
      'config:set': (patch) => this.setConfig(patch),
    }
  }

  /** A copy of the current settings. */
  current(): AppConfig {
    return structuredClone(this.config)
  }

  async getConfig(): Promise<Result<ConfigState>> {
    return { ok: true, value: this.state() }
  }

  /** Merges the patch over the current settings, saves them atomically, then applies them. */
  async setConfig(patch: AppConfigPatch): Promise<Result<ConfigState>> {
    const merged = validateAppConfig(patch, this.config)
    if (!merged.ok) return { ok: false, error: { code: 'invalid-config', message: merged.errors.map((e) => e.message).join('; '), fieldErrors: merged.errors } }
    const saved = await this.save(merged.value)
    if (!saved.ok) return saved
    await this.hooks.applied(patch)
    return { ok: true, value: this.state() }
  }

  /** Saves first and only then takes the new settings, so a failed save changes nothing. */
  async save(config: AppConfig): Promise<Result<undefined>> {
    if (this.store) {
      try {
        await this.store.save(config)
      } catch (err) {
        return { ok: false, error: fsFailure(err, 'config-save-failed', `cannot save ${this.store.path}: ${(err as Error).message}`) }
      }
    }
    this.config = config
    this.notice = null
    return { ok: true, value: undefined }
  }

  private state(): ConfigState {
    return {
      config: structuredClone(this.config),
      path: this.store?.path ?? null,
      notice: this.notice && structuredClone(this.notice),
      metrics: this.hooks.metricsState(),
    }
  }
}
