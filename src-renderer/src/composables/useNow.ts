import { onBeforeUnmount, onMounted, ref } from 'vue'

/** The current time, refreshed every `periodMs` while the component is mounted (for uptimes). */
export function useNow(periodMs = 1000) {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    timer = setInterval(() => (now.value = Date.now()), periodMs)
  })
  onBeforeUnmount(() => clearInterval(timer))
  return now
}
