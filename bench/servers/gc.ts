// Lets the memory benchmark collect garbage in a server before reading its RSS (SIGUSR2), so the
// figure is what connections hold, not what admission left behind for a later collection.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
process.on('SIGUSR2', () => {
  gc()
  console.log('collected')
})
