// Lets the memory benchmark collect garbage in a server before reading its RSS (SIGUSR2), so the
// figure is what connections hold, not what admission left behind for a later collection. It also
// says what is live then (V8's heap in use plus memory outside it, buffers included): RSS also holds
// the heap's free space, which moves by a whole young-generation block from run to run.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
process.on('SIGUSR2', () => {
  gc()
  const { heapUsed, external } = process.memoryUsage()
  console.log(`collected ${heapUsed + external}`)
})
