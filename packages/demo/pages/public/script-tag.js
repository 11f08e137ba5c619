// The script-tag demo page: no build step, the SDK from window.Switchboard, hand-written schemas from
// window.DemoSchemas, and the identity in window.dallinger.identity as a stock Dallinger page has it.
;(function () {
  'use strict'
  var ui = window.DemoUI
  var session = window.DemoSession
  var state = ui.createState()
  ui.mount(document.getElementById('app'))
  function render() {
    ui.render(state)
  }
  render()

  // Each tab is a participant of its own; a reload keeps it (demo-session.js).
  session
    .start()
    .then(function (participant) {
      window.dallinger = { identity: { participantId: participant.participantId, workerId: participant.workerId } }
      var me = participant.participantId
      state.participantId = me
      state.restored = participant.restored
      var options = ui.connectionOptions()
      options.credential = participant.token
      // A message that fails its schema is not dispatched: the page shows why in Problems.
      options.schemas = window.DemoSchemas
      var sb = Switchboard.createClient(options)
      // Every channel is mirrored on the page, and any of them may hear that the server lost this participant.
      function track(channel) {
        return session.startOverWhenRefused(ui.track(state, channel, render))
      }
      var broadcast = track(sb.openChannel('broadcast_channel'))
      var inbox = track(sb.openPrivateChannel())
      // The server's time, for the rooms' timed rounds: the same moment on every page, whatever its clock says.
      var clock = Switchboard.createServerClock(broadcast)
      ui.watchClock(state, clock, render)

      broadcast.on('chat', function (m) {
        state.broadcast.push({ sender: String(m.sender), text: m.text })
        render()
      })
      // Who is here: presence of the broadcast channel, by participant, with the server's grace period.
      ui.followRoster(state, Switchboard.watchPresence(broadcast), render)

      // A room's channel can be opened three ways (its announcement, the assignment, a reload): it
      // is followed once, whichever comes first.
      var followed = {}
      function follow(room) {
        if (followed[room.name]) return
        followed[room.name] = true
        track(room).on('chat', function (m) {
          state.roomChat.push({ room: room.name, sender: String(m.sender), text: m.text })
          render()
        })
        room.on('round', function (round) {
          ui.followRound(state, round, render)
        })
        ui.followPartner(state, Switchboard.watchPresence(room), render, room.name)
        render()
      }
      sb.joinChatrooms(broadcast).onJoin(follow)
      broadcast.on('close_chatroom', function (m) {
        // joinChatrooms closes the rooms it joined; a room reopened after a reload it never heard of.
        var room = sb.channel(m.chatroom)
        if (room) room.close()
        delete followed[m.chatroom]
        if (state.room === m.chatroom) assign(null)
        render()
      })

      function assign(assignment) {
        state.room = assignment ? assignment.room : null
        state.partner = assignment ? assignment.partner : null
        session.saveAssignment(assignment)
        // Opened at once rather than on its announcement: the experiment records the members before
        // it tells them, so the server lets this tab in whichever message arrives first.
        if (assignment) follow(sb.openChannel(assignment.room))
      }
      // The experiment tells a participant its room once, when it pairs it: a reloaded tab goes
      // back to the room it kept.
      assign(session.assignment())
      inbox.on('assignment', function (m) {
        state.inbox.push({ type: 'assignment', room: m.room, partner: m.partner })
        assign({ room: m.room, partner: m.partner })
        render()
      })
      inbox.on('whisper', function (m) {
        state.inbox.push({ type: 'whisper', sender: String(m.sender), text: m.text })
        render()
      })

      ui.onSubmit('broadcast-form', function (f) {
        broadcast.send({ type: 'chat', text: f.text, sender: me })
      })
      ui.onSubmit('room-form', function (f) {
        var room = state.room && sb.channel(state.room)
        if (!room) return false
        room.send({ type: 'chat', text: f.text, sender: me, room: state.room })
        return true
      })
      ui.onSubmit('whisper-form', function (f) {
        inbox.sendTo('experiment_channel', { type: 'whisper', text: f.text, sender: me, recipient: f.recipient })
      })
      // For trying things by hand in the console (and for tests that play a curious participant).
      window.demo = { client: sb, clock: clock, credential: participant.token, participantId: me, open: function (name) { return track(sb.openChannel(name)) } }
      render()
    })
    .catch(function (error) {
      state.errors.push({ code: 'SETUP', message: String(error) })
      render()
    })
})()
