// A bot for the demo chat experiment: it chats on the broadcast channel, in the room the experiment
// puts it in, and whispers to others, thinking a little between lines, until the run's time is up.
// Pilot the demo with 20 of them: npm run bots -- --url http://localhost:5000 --count 20 --script packages/demo/bots/chat.ts --duration 60s
import type { Bot } from '@switchboard/bots'

export default async function chat(bot: Bot): Promise<void> {
  const broadcast = bot.channel('broadcast_channel')
  const inbox = bot.privateChannel()
  let room: ReturnType<Bot['channel']> | undefined
  let partner: string | undefined
  // The experiment pairs it with the next arrival and tells it its room and partner privately.
  inbox.on('assignment', (message) => {
    room = bot.channel(String(message.room))
    partner = String(message.partner)
  })
  await Promise.all([broadcast.ready(), inbox.ready()])
  for (let line = 1; !bot.stopped; line++) {
    await bot.think(200, 1000)
    if (bot.stopped) break
    if (room && line % 3 === 0) bot.send(room, { type: 'chat', text: `room line ${line}`, sender: bot.id, room: room.name })
    else if (partner && line % 5 === 0) broadcast.sendTo('experiment_channel', { type: 'whisper', text: `psst ${line}`, sender: bot.id, recipient: partner })
    else bot.send(broadcast, { type: 'chat', text: `line ${line}`, sender: bot.id })
  }
}
