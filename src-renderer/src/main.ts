import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { createAppI18n } from './i18n'
import { installTestHook } from './test-hook'
import './styles/theme.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(createAppI18n())
// A rendering bug in one panel is logged, not allowed to blank the whole dashboard.
app.config.errorHandler = (err, _instance, info) => console.error(`iocp-monitor: ${info}`, err)
installTestHook(pinia)
app.mount('#app')
