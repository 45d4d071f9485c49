// vue-i18n in Composition mode. The chosen language is remembered in localStorage; the first
// visit follows the browser's language.
import { createI18n } from 'vue-i18n'
import en, { type Messages } from './en'
import ko from './ko'

export const LOCALES = ['en', 'ko'] as const
export type Locale = (typeof LOCALES)[number]

export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', ko: '한국어' }

const STORAGE_KEY = 'iocp-monitor.locale'

function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v)
}

export function initialLocale(): Locale {
  try {
    const stored = localStorage.getItem(STORAGE_KEY)
    if (isLocale(stored)) return stored
  } catch {
    // Storage can be unavailable (privacy settings); fall through to the browser language.
  }
  return typeof navigator !== 'undefined' && navigator.language?.toLowerCase().startsWith('ko') ? 'ko' : 'en'
}

/** True when this browser remembers a language choice (it wins over the config file's). */
export function hasStoredLocale(): boolean {
  try {
    return isLocale(localStorage.getItem(STORAGE_KEY))
  } catch {
    return false
  }
}

export function persistLocale(locale: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    // Not remembered, but the switch itself still works.
  }
  document.documentElement.lang = locale
}

export function createAppI18n(locale: Locale = initialLocale()) {
  document.documentElement.lang = locale
  return createI18n<[Messages], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages: { en, ko },
  })
}
