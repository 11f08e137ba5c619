// The script-tag demo page: no build step and no validator, the SDK from window.Switchboard, the
// identity from window.dallinger.identity as a stock Dallinger page has it.
;(function () {
  'use strict'
  var ui = window.DemoUI
  var state = ui.createState()
  ui.mount(document.getElementById('app'), 'Switchboard demo (script tag)')
  function render() {
    ui.render(state)
  }


  var credential
  ui.post('/participant')
    .then(function (created) {
      window.dallinger = { identity: { participantId: created.participant.id, workerId: created.participant.worker_id } }
      credential = created.token
      return ui.post('/node/' + created.participant.id)
    })
    .then(function () {
      var me = String(window.dallinger.identity.participantId)
      state.participantId = me
      var options = ui.connectionOptions()
      options.credential = credential
      var sb = Switchboard.createClient(options)
      var broadcast = ui.track(state, sb.openChannel('broadcast_channel'), render)
      var inbox = ui.track(state, sb.openPrivateChannel(), render)
      var rooms = sb.joinChatrooms(broadcast)
      rooms.onJoin(function (room) {
        ui.track(state, room, render).on('chat', function (m) {
          state.roomChat.push({ room: room.name, sender: String(m.sender), text: m.text })
          render()
        })
        render()
      })

      broadcast.on('chat', function (m) {
        state.broadcast.push({ sender: String(m.sender), text: m.text })
        render()
      })
      broadcast.on('roster', function (m) {
        state.roster = m.participants.map(String)
        render()
      })
      inbox.on('assignment', function (m) {
        state.room = m.room
        state.partner = m.partner
        state.inbox.push({ type: 'assignment', room: m.room, partner: m.partner })
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
        var room = state.room && rooms.rooms.get(state.room)
        if (room) room.send({ type: 'chat', text: f.text, sender: me, room: state.room })
      })
      // For trying things by hand in the console (and for tests that play a curious participant).
      window.demo = { client: sb, credential: credential, participantId: me, open: function (name) { return ui.track(state, sb.openChannel(name), render) } }
      ui.onSubmit('whisper-form', function (f) {
        inbox.sendTo('experiment_channel', { type: 'whisper', text: f.text, sender: me, recipient: f.recipient })
      })
      render()
    })
    .catch(function (error) {
      state.errors.push({ code: 'SETUP', message: String(error) })
      render()
    })
})()
