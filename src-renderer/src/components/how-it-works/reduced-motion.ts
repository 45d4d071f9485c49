// Whether the system asks for reduced motion, kept live (the setting can change while the page is
// open). The diagram's CSS stops its animations by itself; this lets the tab say so in words.
import { onBeforeUnmount, ref, type Ref } from 'vue'

export function usePrefersReducedMotion(): Ref<boolean> {
  const reduced = ref(false)
  const mq = typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-reduced-motion: reduce)') : null
  if (!mq) return reduced
  reduced.value = mq.matches
  const onChange = (e: MediaQueryListEvent) => (reduced.value = e.matches)
  mq.addEventListener?.('change', onChange)
  onBeforeUnmount(() => mq.removeEventListener?.('change', onChange))
  return reduced
}
