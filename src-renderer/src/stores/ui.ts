// Page-level UI state: the active tab (mirrored in the URL hash, so a reload or a link keeps it)
// and which dialog is open.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

// 'sessions' and 'learn' (How it works) sit after the tabs that drive the server and before the
// bookkeeping ones.
export const TABS = ['server', 'load', 'errors', 'sessions', 'learn', 'recordings', 'settings'] as const
export type TabId = (typeof TABS)[number]

function tabFromHash(): TabId {
  const h = typeof location !== 'undefined' ? location.hash.replace(/^#/, '') : ''
  return (TABS as readonly string[]).includes(h) ? (h as TabId) : 'server'
}

export const useUiStore = defineStore('ui', () => {
  const tab = ref<TabId>(tabFromHash())
  const exportOpen = ref(false)
  const shortcutsOpen = ref(false)

  watch(tab, (t) => {
    // replaceState: switching tabs should not fill the Back button's history.
    if (typeof history !== 'undefined' && location.hash !== `#${t}`) history.replaceState(null, '', `${location.pathname}${location.search}#${t}`)
  })

  function select(t: TabId): void {
    tab.value = t
  }

  return { tab, exportOpen, shortcutsOpen, select }
})
